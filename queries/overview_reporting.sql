-- How many sites in scope sent monthly values, per month: the last complete
-- period is the latest month most of them have sent.
select
    period_start,
    count(distinct site_code) as n_sites,
from v_indicator_values
where list_contains($sites, site_code) and period_kind = 'month'
group by period_start
order by period_start
