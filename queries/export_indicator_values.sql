-- Indicator values of the caller's (filtered) scope over a period, for the
-- data exports: one row per site × indicator × period.
select
    v.site_code,
    s.site_name,
    v.indicator_code,
    i.indicator_label,
    i.unit,
    v.period_start,
    v.period_kind,
    v.value,
    i.target,
    v.comment,
from indicator_values as v
join sites as s using (site_code)
join indicators as i using (indicator_code)
where list_contains($sites, v.site_code) and v.period_start between $start and $end
order by v.site_code, i.module, v.indicator_code, v.period_start
