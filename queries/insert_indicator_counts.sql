-- The two counts of each rate given as counts, beside the values of this upload (v_indicator_values
-- pairs a value with the counts of the upload that wrote it).
insert or replace into indicator_counts
    (site_code, indicator_code, period_start, period_kind, n_total, n_within, upload_id, is_demo)
select site_code, indicator_code, period_start, period_kind, n_total, n_within, $upload_id, $is_demo,
from staging_indicator_counts
where list_contains($sites, site_code)
