-- How a staged batch meets the stored values: replaced (a stored value is
-- overwritten by a different one), unchanged, deleted (missing marker on a
-- stored value), new.
with matched as (
    select
        s.value as new_value,
        t.value as old_value,
    from staging_indicator_values as s
    left join indicator_values as t
        on t.site_code = s.site_code
        and t.indicator_code = s.indicator_code
        and t.period_start = s.period_start
        and t.period_kind = s.period_kind
)
select
    count(*) filter (where new_value is not null and old_value is null) as n_new,
    count(*) filter (where new_value is not null and old_value is not null and new_value <> old_value) as n_replaced,
    count(*) filter (where new_value is not null and new_value = old_value) as n_unchanged,
    count(*) filter (where new_value is null and old_value is not null) as n_deleted,
from matched
