-- What writing the classified batch would do (import preview), per site × indicator: the first
-- and last period, the rows, and the rows per status (a missing marker on nothing stored is none).
with summary as (
    select
        site_code,
        indicator_code as item,
        min({'start': period_start, 'kind': period_kind}) as first_period,
        max({'start': period_start, 'kind': period_kind}) as last_period,
        count(*) as n_rows,
        count(*) filter (where status = 'new') as n_new,
        count(*) filter (where status = 'replaced') as n_replaced,
        count(*) filter (where status = 'unchanged') as n_unchanged,
        count(*) filter (where status = 'deleted') as n_deleted,
    from classified_indicator_values
    where list_contains($sites, site_code)
    group by site_code, indicator_code
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
