insert into indicator_values
select
    site_code,
    indicator_code,
    period_start,
    period_kind,
    value,
    comment,
    $upload_id as upload_id,
    $is_demo as is_demo,
from staging_indicator_values
where value is not null
    and list_contains($sites, site_code)
