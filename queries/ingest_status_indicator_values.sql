-- What writing the staged batch would do to each of its rows (import preview).
with stored as (
    select site_code, indicator_code, period_start, period_kind, value,
    from indicator_values
    where list_contains($sites, site_code)
)
select
    s.site_code,
    s.indicator_code as item,
    s.period_start,
    s.period_kind,
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
