-- scope: aggregate
-- National distribution of one indicator over [$start, $end] (latest period or
-- mean, per $mode) and, for each site of the caller's scope, its value and rank
-- among the sites with a value. Returns no site code: a one-prefecture scope
-- learns the national quartiles and its own rank, never another site's figure.
with values_in_range as (
    select v.site_code, v.period_start, v.value,
    from v_indicator_values as v
    join sites as s using (site_code)
    where s.active and s.site_kind = $compared_kind and v.indicator_code = $indicator and v.period_start between $start and $end
),

latest as (
    select max(period_start) as period_start from values_in_range
),

per_site as (
    select
        site_code,
        case
            when $mode = 'moyenne' then avg(value)
            else max(value) filter (where period_start = (select period_start from latest))
        end as value,
    from values_in_range
    group by site_code
),

ranked as (
    select
        site_code,
        value,
        rank() over (
            order by case when i.direction = 'hausse' then -value else value end
        ) as site_rank,
        i.direction,
    from per_site, (select direction from indicators where indicator_code = $indicator) as i
    where value is not null
),

national as (
    select
        count(*) as n_sites,
        quantile_cont(value, 0.1) as p10,
        quantile_cont(value, 0.25) as q1,
        quantile_cont(value, 0.5) as median,
        quantile_cont(value, 0.75) as q3,
        quantile_cont(value, 0.9) as p90,
        any_value(direction) as direction,
    from ranked
),

own as (
    select value as own_value, site_rank as own_rank,
    from ranked
    where list_contains($sites, site_code)
)

select
    (select period_start from latest) as latest_period,
    n.n_sites,
    n.p10,
    n.q1,
    n.median,
    n.q3,
    n.p90,
    n.direction,
    o.own_value,
    o.own_rank,
from national as n
left join own as o on true
