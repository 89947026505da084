-- The new and replacing values of a classified batch.
insert into indicator_values (site_code, indicator_code, period_start, period_kind, value, comment, upload_id, is_demo)
select
    site_code,
    indicator_code,
    period_start,
    period_kind,
    value,
    comment,
    $upload_id as upload_id,
    $is_demo as is_demo,
from classified_indicator_values
where status in ('new', 'replaced')
    and list_contains($sites, site_code)
