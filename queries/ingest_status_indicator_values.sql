-- What writing the staged batch would do (import preview), per site × indicator: the first
-- and last period, the rows, and the rows per status (a value replacing a different one,
-- unchanged, deleted by a missing marker, new; a missing marker on nothing stored is none).
with stored as (
    select site_code, indicator_code, period_start, period_kind, value,
    from indicator_values
    where list_contains($sites, site_code)
),
rows as (
    select
        s.site_code,
        s.indicator_code as item,
        {'start': s.period_start, 'kind': s.period_kind} as period,
        case
            when s.value is null and t.value is null then 'absente'
            when s.value is null then 'supprimée'
            when t.value is null then 'nouvelle'
            when t.value = s.value then 'inchangée'
            else 'remplacée'
        end as status,
    from staging_indicator_values as s
    left join stored as t
        on t.site_code = s.site_code
        and t.indicator_code = s.indicator_code
        and t.period_start = s.period_start
        and t.period_kind = s.period_kind
),
summary as (
    select
        site_code,
        item,
        min(period) as first_period,
        max(period) as last_period,
        count(*) as n_rows,
        count(*) filter (where status = 'nouvelle') as n_new,
        count(*) filter (where status = 'remplacée') as n_replaced,
        count(*) filter (where status = 'inchangée') as n_unchanged,
        count(*) filter (where status = 'supprimée') as n_deleted,
    from rows
    group by site_code, item
)
select
    site_code,
    item,
    cast(first_period.start as date) as first_start,
    first_period.kind as first_kind,
    cast(last_period.start as date) as last_start,
    last_period.kind as last_kind,
    n_rows, n_new, n_replaced, n_unchanged, n_deleted,
from summary
order by site_code, item
