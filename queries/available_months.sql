select distinct period_start,
from v_indicator_values
where list_contains($sites, site_code) and period_kind = 'month'
order by period_start
