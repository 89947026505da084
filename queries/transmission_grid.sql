-- For each site of the scope and each period of one kind ($period_kind: 'month'
-- every $step_months = 1, or 'quarter' every 3) starting in [$start, $end]: how
-- many indicators of that frequency ($frequency) the site is expected to send,
-- how many it sent, and the labels of those it did not send. Every active site
-- of the scope has a row per period, a site that never sent anything included
-- (n_sent = 0). Aggregated here, not in Python: at 1,000 sites the per-indicator
-- rows were a quarter of a million.
with periods as (
    select unnest(generate_series($start::date, $end::date, to_months($step_months)))::date as period_start
),

in_scope as (
    select site_code, site_name,
    from sites
    where active and site_code in (select unnest($sites))
),

of_frequency as (
    select indicator_code, indicator_label, module,
    from indicators
    where frequency = $frequency
),

reported as (
    select site_code, indicator_code,
    from v_indicator_values
    where period_kind = $period_kind
        and site_code in (select site_code from in_scope)
        and indicator_code in (select indicator_code from of_frequency)
    group by site_code, indicator_code
),

-- The modules each site retained in each period (its périmètre: v_site_modules), where known.
retained_at as (
    select s.site_code, p.period_start, r.module,
    from in_scope as s
    cross join periods as p
    join v_site_modules as r
        on r.site_code = s.site_code and r.since <= p.period_start and (r.until is null or r.until > p.period_start)
),

-- What a site is expected to send in a period, defined here only: the indicators of the
-- frequency of the modules it retained then (its périmètre); for a period before any
-- périmètre was recorded, the indicators it has ever sent, or those of the mandatory
-- modules if it never sent one.
expected as (
    select r.site_code, r.period_start, i.indicator_code, i.indicator_label,
    from retained_at as r
    join of_frequency as i using (module)
    union all
    select s.site_code, p.period_start, i.indicator_code, i.indicator_label,
    from in_scope as s
    cross join periods as p
    cross join of_frequency as i
    anti join (select distinct site_code, period_start, from retained_at) as w
        on w.site_code = s.site_code and w.period_start = p.period_start
    where exists (
        select 1 from reported as r where r.site_code = s.site_code and r.indicator_code = i.indicator_code
    )
    or (
        not exists (select 1 from reported as r where r.site_code = s.site_code)
        and i.module in (select module from modules where mandatory)
    )
),

-- One row per site × indicator × period (the fact table's key keeps it unique).
sent as (
    select v.site_code, v.indicator_code, v.period_start,
    from v_indicator_values as v
    semi join expected as e
        on e.site_code = v.site_code and e.indicator_code = v.indicator_code and e.period_start = v.period_start
    where v.period_kind = $period_kind
        and v.period_start between $start and $end
),

cells as (
    select e.site_code, e.period_start, e.n_expected, coalesce(t.n_sent, 0) as n_sent,
    from (select site_code, period_start, count(*) as n_expected, from expected group by all) as e
    left join (
        select site_code, period_start, count(*) as n_sent,
        from sent
        group by site_code, period_start
    ) as t on t.site_code = e.site_code and t.period_start = e.period_start
),

incomplete as (
    select site_code, period_start,
    from cells
    where n_sent < n_expected
),

-- Labels of the expected indicators not sent, for the incomplete cells only, joined by
-- " ; " (written chr(59): a semicolon in this file would read as a second statement).
missing as (
    select
        c.site_code,
        c.period_start,
        string_agg(e.indicator_label, ' ' || chr(59) || ' ' order by e.indicator_label) as missing,
    from incomplete as c
    join expected as e on e.site_code = c.site_code and e.period_start = c.period_start
    anti join (select * from sent semi join incomplete using (site_code, period_start)) as t
        on t.site_code = c.site_code and t.indicator_code = e.indicator_code and t.period_start = c.period_start
    group by c.site_code, c.period_start
)

select
    s.site_code,
    s.site_name,
    c.period_start,
    coalesce(c.n_expected, 0) as n_expected,
    coalesce(c.n_sent, 0) as n_sent,
    coalesce(x.missing, '') as missing,
from in_scope as s
left join cells as c on c.site_code = s.site_code
left join missing as x on x.site_code = c.site_code and x.period_start = c.period_start
order by s.site_code, c.period_start
