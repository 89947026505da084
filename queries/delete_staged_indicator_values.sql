delete from indicator_values as t
using staging_indicator_values as s
where t.site_code = s.site_code
    and t.indicator_code = s.indicator_code
    and t.period_start = s.period_start
    and t.period_kind = s.period_kind
    and list_contains($sites, t.site_code)
