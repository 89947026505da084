-- What writing the staged audit findings would do. A finding belongs to a stored audit (its site,
-- kind and date); the same text of the same nature for that audit is the same finding.
with matched as (
    select
        f.finding_id is not null as exists_before,
        f.finding_id is not null and (
            f.module is distinct from s.module
            or f.engagement is distinct from s.engagement
            or (s.closed_on is not null and f.closed_on is distinct from s.closed_on)
            or f.is_demo <> $is_demo
        ) as differs,
    from staging_findings as s
    left join label_events as e
        on e.site_code = s.site_code and e.event_kind = s.audit_kind and e.event_date = s.audit_date
    left join audit_findings as f
        on f.event_id = e.event_id
        and f.finding_kind = s.finding_kind
        and lower(trim(f.finding_text)) = lower(trim(s.finding_text))
    where list_contains($sites, s.site_code)
)
select
    count(*) filter (where not exists_before) as n_new,
    count(*) filter (where differs) as n_replaced,
    count(*) filter (where exists_before and not differs) as n_unchanged,
    0 as n_deleted,
from matched
