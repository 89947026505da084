-- scope: aggregate
-- National context of the trend charts: per indicator and period, median and
-- quartiles over every prefecture (like with like: sub-prefectures are not
-- compared with prefectures), with how many reported (n_sites) and how
-- many of them are the caller's (n_own). No site code leaves the query;
-- `anonymity.trend_band` decides which rows a one-prefecture scope may see
-- (enough other prefectures behind each figure).
with all_values as (
    select
        site_code,
        indicator_code,
        period_start,
        period_kind,
        value,
    from v_indicator_values
    where list_contains($indicators, indicator_code)
        and period_start between $start and $end
        and site_code in (select site_code from sites where active and site_kind = $compared_kind)
)

select
    indicator_code,
    period_start,
    period_kind,
    quantile_cont(value, 0.25) as q1,
    median(value) as median,
    quantile_cont(value, 0.75) as q3,
    count(*) as n_sites,
    count(*) filter (where list_contains($sites, site_code)) as n_own,
from all_values
group by indicator_code, period_start, period_kind
order by indicator_code, period_start
