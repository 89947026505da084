-- Values of the indicators that have a target, for each site in scope, over
-- the alert window [$start, $end] (misses and runs are computed in Python).
with values_in_scope as (
    select
        site_code,
        indicator_code,
        period_start,
        period_kind,
        value,
        comment,
    from v_indicator_values
    where list_contains($sites, site_code)
        and period_start between $start and $end
)

select
    v.site_code,
    s.site_name,
    v.indicator_code,
    i.indicator_label,
    i.module,
    i.unit,
    i.direction,
    i.target,
    i.target_indicative,
    v.period_start,
    v.period_kind,
    v.value,
    v.comment,
from values_in_scope as v
join indicators as i using (indicator_code)
join sites as s using (site_code)
where i.direction is not null and i.target is not null
order by v.site_code, v.indicator_code, v.period_start
