-- Per site × module of the scope: the latest assessment of each engagement on
-- or before $as_of, counted by result, and the date of the newest assessment.
-- The latest is the one of compliance_latest.sql (latest date, then the
-- same-day precedence `$assessment_precedence`), found with arg_min instead of
-- a window: half the time at 1,000 sites. The module × prefecture heatmap and
-- the overview's per-module rates need these counts only, not the 30,000
-- engagement rows behind them.
with assessed as (
    select
        c.site_code,
        c.module,
        arg_min(c.result, {
            'newest': -epoch(c.assessed_on),
            'precedence': list_position($assessment_precedence, c.assessment_type),
        }) as result,
        max(c.assessed_on) as assessed_on,
    from v_compliance as c
    where list_contains($sites, c.site_code) and c.assessed_on <= $as_of
    group by c.site_code, c.module, c.engagement
)

select
    a.module,
    m.module_name,
    a.site_code,
    s.site_name,
    count(*) filter (where a.result = 'non_conforme') as n_non_conforme,
    count(*) filter (where a.result = 'partiel') as n_partiel,
    count(*) filter (where a.result = 'conforme') as n_conforme,
    count(*) filter (where a.result = 'non_applicable') as n_non_applicable,
    max(a.assessed_on) as last_assessed_on,
from assessed as a
join sites as s using (site_code)
join modules as m using (module)
group by a.module, m.module_name, a.site_code, s.site_name
order by a.module, a.site_code
