-- New stages take their ids from the `next_label_event_id` counter (site, date, kind order).
insert into label_events (
    event_id, site_code, event_kind, event_date, organisme, report_date, result, referentiel_version,
    valid_until, next_due, comment, upload_id, is_demo
)
select
    (select value from meta where key = 'next_label_event_id')
        + row_number() over (order by s.site_code, s.event_date, s.event_kind) - 1,
    s.site_code,
    s.event_kind,
    s.event_date,
    s.organisme,
    s.report_date,
    s.result,
    s.referentiel_version,
    s.valid_until,
    s.next_due,
    s.comment,
    $upload_id,
    $is_demo,
from staging_label_events as s
anti join label_events as t
    on t.site_code = s.site_code and t.event_kind = s.event_kind and t.event_date = s.event_date
where list_contains($sites, s.site_code)
