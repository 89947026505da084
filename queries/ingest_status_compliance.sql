-- What writing the staged batch would do to each of its rows (import preview).
with stored as (
    select site_code, module, engagement, assessed_on, assessment_type, result,
    from compliance_assessments
    where list_contains($sites, site_code)
)
select
    s.site_code,
    'Module ' || s.module || ', engagement ' || s.engagement as item,
    s.assessed_on,
    case
        when t.site_code is null then 'nouvelle'
        when t.result <> s.result then 'remplacée'
        else 'inchangée'
    end as status,
from staging_compliance as s
left join stored as t
    on t.site_code = s.site_code
    and t.module = s.module
    and t.engagement = s.engagement
    and t.assessed_on = s.assessed_on
    and t.assessment_type = s.assessment_type
