-- One prefecture's indicator values over the pack's period, with what the
-- référentiel says about each indicator (unit, direction, target).
with values_in_period as (
    select site_code, indicator_code, period_start, period_kind, value,
    from v_indicator_values
    where
        list_contains($sites, site_code)
        and site_code = $site_code
        and period_start between $start and $end
)

select
    v.indicator_code,
    i.indicator_label,
    i.module,
    i.engagement,
    i.unit,
    i.direction,
    i.target,
    i.target_indicative,
    i.frequency,
    v.period_start,
    v.period_kind,
    v.value,
from values_in_period as v
join indicators as i using (indicator_code)
order by i.module, v.indicator_code, v.period_start
