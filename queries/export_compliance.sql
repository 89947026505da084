-- Compliance assessments of the caller's (filtered) scope made within a
-- period, for the data exports.
select
    c.site_code,
    s.site_name,
    c.module,
    c.engagement,
    e.engagement_label,
    c.assessed_on,
    c.assessment_type,
    c.result,
from v_compliance as c
join sites as s using (site_code)
left join engagements as e on e.module = c.module and e.engagement = c.engagement
where list_contains($sites, c.site_code) and c.assessed_on between $start and $until
order by c.site_code, c.module, c.engagement, c.assessed_on
