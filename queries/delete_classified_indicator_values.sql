-- The stored values a classified batch replaces or deletes (unchanged ones stay as they are).
delete from indicator_values as t
using classified_indicator_values as c
where t.site_code = c.site_code
    and t.indicator_code = c.indicator_code
    and t.period_start = c.period_start
    and t.period_kind = c.period_kind
    and c.status in ('replaced', 'deleted')
    and list_contains($sites, t.site_code)
