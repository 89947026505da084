-- Every assessment of the scope's sites between $start and $as_of, one row
-- per site × module × engagement × date × type (the one-prefecture heatmap).
select
    c.site_code,
    c.module,
    m.module_name,
    c.engagement,
    e.engagement_label,
    c.assessed_on,
    c.assessment_type,
    c.result,
from v_compliance as c
join modules as m using (module)
left join engagements as e using (module, engagement)
where list_contains($sites, c.site_code) and c.assessed_on between $start and $as_of
order by c.module, c.engagement, c.assessed_on, c.assessment_type
