-- How each staged value meets the stored one (the one place this is decided; the preview, the
-- write and the history read its result): 'new' (nothing stored), 'replaced' (another value, a
-- new comment, other counts behind the same rate, or a demonstration value taken over by an
-- import), 'unchanged', 'deleted' (a
-- missing marker on a stored value), 'absent' (a missing marker on nothing). A blank comment
-- keeps the stored one. With the stored row's image, so a write can keep what it replaces.
select
    s.site_code,
    s.indicator_code,
    s.period_start,
    s.period_kind,
    s.value,
    s.comment,
    case
        when s.value is null and t.value is null then 'absent'
        when s.value is null then 'deleted'
        when t.value is null then 'new'
        when s.value = t.value and (s.comment is null or s.comment = t.comment) and t.is_demo = $is_demo
            and sc.n_total is not distinct from tc.n_total and sc.n_within is not distinct from tc.n_within
            then 'unchanged'
        else 'replaced'
    end as status,
    t.value as old_value,
    t.comment as old_comment,
    t.upload_id as old_upload_id,
    t.is_demo as old_is_demo,
from staging_indicator_values as s
left join indicator_values as t
    on t.site_code = s.site_code
    and t.indicator_code = s.indicator_code
    and t.period_start = s.period_start
    and t.period_kind = s.period_kind
    and list_contains($sites, t.site_code)
-- The counts given with the staged rate, and those stored with the stored value (its upload's).
left join staging_indicator_counts as sc
    on sc.site_code = s.site_code
    and sc.indicator_code = s.indicator_code
    and sc.period_start = s.period_start
    and sc.period_kind = s.period_kind
left join indicator_counts as tc
    on tc.site_code = t.site_code
    and tc.indicator_code = t.indicator_code
    and tc.period_start = t.period_start
    and tc.period_kind = t.period_kind
    and tc.upload_id is not distinct from t.upload_id
where list_contains($sites, s.site_code)
