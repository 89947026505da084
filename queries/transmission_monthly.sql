-- For each site of the scope, each month of [$start, $end] and each monthly
-- indicator the site reports (has ever sent a value for), whether a value was
-- sent that month. Missing is not zero: an unsent month is a row with sent = false.
with months as (
    select unnest(generate_series($start::date, $end::date, interval 1 month))::date as period_start
),

reported as (
    select distinct v.site_code, v.indicator_code,
    from v_indicator_values as v
    join indicators as i using (indicator_code)
    where list_contains($sites, v.site_code) and v.period_kind = 'month' and i.frequency = 'mensuelle'
),

sent as (
    select distinct site_code, indicator_code, period_start,
    from v_indicator_values
    where list_contains($sites, site_code)
        and period_kind = 'month'
        and period_start between $start and $end
)

select
    r.site_code,
    s.site_name,
    m.period_start,
    r.indicator_code,
    i.indicator_label,
    t.site_code is not null as sent,
from reported as r
cross join months as m
join sites as s on s.site_code = r.site_code
join indicators as i on i.indicator_code = r.indicator_code
left join sent as t
    on t.site_code = r.site_code and t.indicator_code = r.indicator_code and t.period_start = m.period_start
where s.active
order by r.site_code, m.period_start, r.indicator_code
