-- New findings take their ids from the `next_audit_finding_id` counter.
insert into audit_findings (
    finding_id, event_id, site_code, finding_kind, module, engagement, finding_text, closed_on, upload_id, is_demo
)
select
    (select value from meta where key = 'next_audit_finding_id')
        + row_number() over (order by e.event_id, s.finding_kind, s.finding_text) - 1,
    e.event_id,
    s.site_code,
    s.finding_kind,
    s.module,
    s.engagement,
    trim(s.finding_text),
    s.closed_on,
    $upload_id,
    $is_demo,
from staging_findings as s
join label_events as e
    on e.site_code = s.site_code and e.event_kind = s.audit_kind and e.event_date = s.audit_date
where list_contains($sites, s.site_code)
    and not exists (
        select 1 from audit_findings as f
        where f.event_id = e.event_id
            and f.finding_kind = s.finding_kind
            and lower(trim(f.finding_text)) = lower(trim(s.finding_text))
    )
