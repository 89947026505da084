-- The stored assessments a classified batch replaces.
delete from compliance_assessments as t
using classified_compliance as c
where t.site_code = c.site_code
    and t.module = c.module
    and t.engagement = c.engagement
    and t.assessed_on = c.assessed_on
    and t.assessment_type = c.assessment_type
    and c.status = 'replaced'
    and list_contains($sites, t.site_code)
