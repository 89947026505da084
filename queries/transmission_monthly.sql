-- For each site of the scope and each month of [$start, $end]: how many monthly
-- indicators the site reports (has ever sent a value for), how many it sent that
-- month, and the labels of those it did not send. Missing is not zero: an unsent
-- month is a row with n_sent = 0. Aggregated here, not in Python: at 1,000 sites
-- the per-indicator rows were a quarter of a million.
with months as (
    select unnest(generate_series($start::date, $end::date, interval 1 month))::date as period_start
),

in_scope as (
    select site_code, site_name,
    from sites
    where active and site_code in (select unnest($sites))
),

monthly_indicators as (
    select indicator_code, indicator_label,
    from indicators
    where frequency = 'mensuelle'
),

reported as (
    select site_code, indicator_code,
    from v_indicator_values
    where period_kind = 'month'
        and site_code in (select site_code from in_scope)
        and indicator_code in (select indicator_code from monthly_indicators)
    group by site_code, indicator_code
),

-- One row per site × indicator × month (the write path keeps that key unique).
sent as (
    select site_code, indicator_code, period_start,
    from v_indicator_values
    where period_kind = 'month'
        and period_start between $start and $end
        and site_code in (select site_code from in_scope)
        and indicator_code in (select indicator_code from monthly_indicators)
),

cells as (
    select e.site_code, m.period_start, e.n_expected, coalesce(t.n_sent, 0) as n_sent,
    from (select site_code, count(*) as n_expected, from reported group by site_code) as e
    cross join months as m
    left join (
        select site_code, period_start, count(*) as n_sent,
        from sent
        group by site_code, period_start
    ) as t on t.site_code = e.site_code and t.period_start = m.period_start
),

incomplete as (
    select site_code, period_start,
    from cells
    where n_sent < n_expected
),

-- Labels of the reported indicators not sent, for the incomplete cells only, joined by
-- " ; " (written chr(59): a semicolon in this file would read as a second statement).
missing as (
    select
        c.site_code,
        c.period_start,
        string_agg(i.indicator_label, ' ' || chr(59) || ' ' order by i.indicator_label) as missing,
    from incomplete as c
    join reported as r on r.site_code = c.site_code
    join monthly_indicators as i on i.indicator_code = r.indicator_code
    anti join (select * from sent semi join incomplete using (site_code, period_start)) as t
        on t.site_code = c.site_code and t.indicator_code = r.indicator_code and t.period_start = c.period_start
    group by c.site_code, c.period_start
)

select
    c.site_code,
    s.site_name,
    c.period_start,
    c.n_expected,
    c.n_sent,
    coalesce(x.missing, '') as missing,
from cells as c
join in_scope as s on s.site_code = c.site_code
left join missing as x on x.site_code = c.site_code and x.period_start = c.period_start
order by c.site_code, c.period_start
