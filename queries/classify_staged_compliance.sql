-- How each staged assessment meets the stored one (see classify_staged_indicator_values):
-- 'new', 'replaced' (another result, or a demonstration result taken over by an import),
-- 'unchanged'.
select
    s.site_code,
    s.module,
    s.engagement,
    s.assessed_on,
    s.assessment_type,
    s.result,
    case
        when t.site_code is null then 'new'
        when t.result = s.result and t.is_demo = $is_demo then 'unchanged'
        else 'replaced'
    end as status,
    t.result as old_result,
    t.upload_id as old_upload_id,
    t.is_demo as old_is_demo,
from staging_compliance as s
left join compliance_assessments as t
    on t.site_code = s.site_code
    and t.module = s.module
    and t.engagement = s.engagement
    and t.assessed_on = s.assessed_on
    and t.assessment_type = s.assessment_type
    and list_contains($sites, t.site_code)
where list_contains($sites, s.site_code)
