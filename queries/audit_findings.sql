-- What the audits of the sites in scope found, with the audit each finding comes from.
select
    f.finding_id,
    f.site_code,
    f.event_id,
    e.event_kind as audit_kind,
    e.event_date as audit_date,
    e.organisme,
    f.finding_kind,
    f.module,
    f.engagement,
    f.finding_text,
    f.closed_on,
from audit_findings as f
join label_events as e using (event_id)
where list_contains($sites, f.site_code)
order by e.event_date desc, f.finding_kind, f.finding_id
