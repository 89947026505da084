-- The latest assessment of each module × engagement of one prefecture made
-- on or before the end of the pack's period.
with latest as (
    select module, engagement, assessed_on, assessment_type, result,
    from v_compliance
    where
        list_contains($sites, site_code)
        and site_code = $site_code
        and assessed_on <= $until
    qualify row_number() over (
        partition by module, engagement
        order by assessed_on desc, list_position(['audit_externe', 'audit_interne', 'enquete_mystere', 'auto_evaluation'], assessment_type)
    ) = 1
)

select
    l.module,
    m.module_name,
    l.engagement,
    e.engagement_label,
    l.assessed_on,
    l.assessment_type,
    l.result,
from latest as l
join modules as m using (module)
left join engagements as e on e.module = l.module and e.engagement = l.engagement
order by l.module, l.engagement
