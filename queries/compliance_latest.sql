-- Latest assessment of each site × module × engagement on or before $as_of,
-- with the names needed to label a heatmap, a pack table and the list behind a
-- cell. On the same day, the assessment types rank in `$assessment_precedence`
-- (filled from qualepref.vocab.ASSESSMENT_TYPES: an external audit outweighs an
-- internal one, which outweighs a mystery visit and a self-assessment).
with assessed as (
    select c.site_code, c.module, c.engagement, c.assessed_on, c.assessment_type, c.result,
    from v_compliance as c
    where list_contains($sites, c.site_code) and c.assessed_on <= $as_of
    qualify row_number() over (
        partition by c.site_code, c.module, c.engagement
        order by c.assessed_on desc, list_position($assessment_precedence, c.assessment_type)
    ) = 1
)

select
    a.site_code,
    s.site_name,
    s.region_code,
    a.module,
    m.module_name,
    a.engagement,
    e.engagement_label,
    a.assessed_on,
    a.assessment_type,
    a.result,
from assessed as a
join sites as s using (site_code)
join modules as m using (module)
left join engagements as e using (module, engagement)
order by a.site_code, a.module, a.engagement
