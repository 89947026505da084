-- Values of the indicators that have a target (national or local, approved), for each
-- site in scope, over the alert window [$start, $end]. The target in force for each
-- value (site, prefecture of a sub-prefecture, national default; on the period's first
-- day), misses and runs are computed in Python (qualepref.targets, qualepref.alerts).
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
        and period_start between $start and $end
)

select
    v.site_code,
    s.site_name,
    v.indicator_code,
    i.indicator_label,
    i.module,
    i.unit,
    i.direction,
    v.period_start,
    v.period_kind,
    v.value,
    v.comment,
    s.parent_code,
    v.n_total,
    v.n_within,
from values_in_scope as v
join indicators as i using (indicator_code)
join sites as s using (site_code)
where exists (
    select 1 from targets as t
    where t.indicator_code = v.indicator_code and t.status = 'approved'
)
order by v.site_code, v.indicator_code, v.period_start
