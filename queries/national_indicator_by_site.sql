-- One indicator for each site of the scope over [$start, $end]: the value of
-- the scope's latest period with data, and the mean over the period.
with values_in_range as (
    select v.site_code, v.period_start, v.value,
    from v_indicator_values as v
    where list_contains($sites, v.site_code)
        and v.indicator_code = $indicator
        and v.period_start between $start and $end
),

latest as (
    select max(period_start) as period_start from values_in_range
),

per_site as (
    select
        site_code,
        max(value) filter (where period_start = (select period_start from latest)) as latest_value,
        avg(value) as mean_value,
        count(*) as n_periods,
    from values_in_range
    group by site_code
)

select
    s.site_code,
    s.site_name,
    s.region_code,
    r.region_name,
    (select period_start from latest) as latest_period,
    p.latest_value,
    p.mean_value,
    coalesce(p.n_periods, 0) as n_periods,
from sites as s
join regions as r using (region_code)
left join per_site as p using (site_code)
where s.active and s.site_kind = $compared_kind and list_contains($sites, s.site_code)
order by s.site_code
