delete from compliance_assessments as t
using staging_compliance as s
where t.site_code = s.site_code
    and t.module = s.module
    and t.engagement = s.engagement
    and t.assessed_on = s.assessed_on
    and t.assessment_type = s.assessment_type
    and list_contains($sites, t.site_code)
