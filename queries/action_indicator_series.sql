-- One site's values of one indicator (the series an action on it is judged on).
select v.period_start, v.period_kind, v.value,
from v_indicator_values as v
where list_contains($sites, v.site_code) and v.site_code = $site_code and v.indicator_code = $indicator_code
order by v.period_start
