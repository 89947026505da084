-- Stages already stored (same site, kind and date) are updated in place: their id is kept, so
-- findings and actions that point at them stay attached.
update label_events as t
set
    organisme = s.organisme,
    report_date = s.report_date,
    result = s.result,
    referentiel_version = s.referentiel_version,
    valid_until = s.valid_until,
    next_due = s.next_due,
    comment = s.comment,
    upload_id = $upload_id,
    is_demo = $is_demo,
from staging_label_events as s
where t.site_code = s.site_code
    and t.event_kind = s.event_kind
    and t.event_date = s.event_date
    and list_contains($sites, t.site_code)
