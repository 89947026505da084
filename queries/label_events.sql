-- Every stage of the labelling cycle of the sites in scope, oldest first.
select
    site_code,
    event_id,
    event_kind,
    event_date,
    organisme,
    report_date,
    result,
    referentiel_version,
    valid_until,
    next_due,
    comment,
from label_events
where list_contains($sites, site_code)
order by site_code, event_date, event_id
