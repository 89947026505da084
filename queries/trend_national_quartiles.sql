-- scope: aggregate
-- National context of the trend charts: per indicator and period, median and
-- quartiles over every site. Only these summaries leave the query (no site
-- code), and only where at least $min_sites sites reported, so a local user
-- sees the national picture without any other prefecture's value.
with all_values as (
    select
        indicator_code,
        period_start,
        period_kind,
        value,
    from v_indicator_values
    where list_contains($indicators, indicator_code)
        and period_start between $start and $end
)

select
    indicator_code,
    period_start,
    period_kind,
    quantile_cont(value, 0.25) as q1,
    median(value) as median,
    quantile_cont(value, 0.75) as q3,
    count(*) as n_sites,
from all_values
group by indicator_code, period_start, period_kind
having count(*) >= $min_sites
order by indicator_code, period_start
