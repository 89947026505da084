-- The new and replacing assessments of a classified batch.
insert into compliance_assessments (site_code, module, engagement, assessed_on, assessment_type, result, upload_id, is_demo)
select
    site_code,
    module,
    engagement,
    assessed_on,
    assessment_type,
    result,
    $upload_id as upload_id,
    $is_demo as is_demo,
from classified_compliance
where status in ('new', 'replaced')
    and list_contains($sites, site_code)
