-- The scope's line on the trend charts: per indicator and period, the site's
-- own value when one site is selected, else the median of the sites in scope
-- (with how many of them reported: a median of two sites says little). The
-- référent's comment on the value goes with a single site's line only.
with values_in_scope as (
    select
        site_code,
        indicator_code,
        period_start,
        period_kind,
        value,
        comment,
        n_total,
        n_within,
    from v_indicator_values
    where list_contains($sites, site_code)
        and list_contains($indicators, indicator_code)
        and period_start between $start and $end
)

select
    indicator_code,
    period_start,
    period_kind,
    median(value) as value,
    count(distinct site_code) as n_sites,
    case when count(distinct site_code) = 1 then max(comment) end as comment,
    -- A rate measured with its counts: the two counts of a single site's value (its n and interval).
    case when count(distinct site_code) = 1 then max(n_total) end as n_total,
    case when count(distinct site_code) = 1 then max(n_within) end as n_within,
from values_in_scope
group by indicator_code, period_start, period_kind
order by indicator_code, period_start
