-- For each site in scope, the indicators of the modules it retains on $today, with how long
-- each has been tracked (months or quarters sent, first and last period). An indicator never
-- sent has zero periods.
with retained as (
    select distinct site_code, module,
    from v_site_modules
    where list_contains($sites, site_code) and since <= $today and (until is null or until > $today)
),

sent as (
    select
        site_code,
        indicator_code,
        count(distinct period_start) as n_months,
        min(period_start) as first_period,
        max(period_start) as last_period,
    from v_indicator_values
    where list_contains($sites, site_code) and period_start <= $today
    group by site_code, indicator_code
)

select
    r.site_code,
    i.indicator_code,
    i.indicator_label,
    i.module,
    i.frequency,
    coalesce(s.n_months, 0) as n_months,
    s.first_period,
    s.last_period,
from retained as r
join indicators as i using (module)
left join sent as s on s.site_code = r.site_code and s.indicator_code = i.indicator_code
order by r.site_code, i.module, i.indicator_code
