-- What writing the classified batch would do (import preview), per site × engagement: the first
-- and last assessment date, the rows, and the rows per status.
select
    site_code,
    'Module ' || module || ', engagement ' || engagement as item,
    cast(min(assessed_on) as date) as first_day,
    cast(max(assessed_on) as date) as last_day,
    count(*) as n_rows,
    count(*) filter (where status = 'new') as n_new,
    count(*) filter (where status = 'replaced') as n_replaced,
    count(*) filter (where status = 'unchanged') as n_unchanged,
    0 as n_deleted,
from classified_compliance
where list_contains($sites, site_code)
group by site_code, module, engagement
order by site_code, item
