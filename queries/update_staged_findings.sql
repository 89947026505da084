-- A finding already recorded keeps its id; an empty "levée le" never reopens a lifted one.
update audit_findings as f
set
    module = s.module,
    engagement = s.engagement,
    closed_on = coalesce(s.closed_on, f.closed_on),
    upload_id = $upload_id,
    is_demo = $is_demo,
from staging_findings as s, label_events as e
where e.site_code = s.site_code
    and e.event_kind = s.audit_kind
    and e.event_date = s.audit_date
    and f.event_id = e.event_id
    and f.finding_kind = s.finding_kind
    and lower(trim(f.finding_text)) = lower(trim(s.finding_text))
    and list_contains($sites, f.site_code)
