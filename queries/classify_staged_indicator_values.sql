-- How each staged value meets the stored one (the one place this is decided; the preview, the
-- write and the history read its result): 'new' (nothing stored), 'replaced' (another value, a
-- new comment, or a demonstration value taken over by an import), 'unchanged', 'deleted' (a
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
where list_contains($sites, s.site_code)
