-- Undo of import $upload_id: the former rows of the cells no later import changed come back.
insert into compliance_assessments (site_code, module, engagement, assessed_on, assessment_type, result, upload_id, is_demo)
select j.site_code, j.module, j.engagement, j.assessed_on, j.assessment_type, j.old_result, j.old_upload_id, j.old_is_demo,
from compliance_changes as j
where j.upload_id = $upload_id
    and j.old_result is not null
    and list_contains($sites, j.site_code)
    and not exists (
        select 1 from compliance_changes as f
        where f.site_code = j.site_code
        and f.module = j.module
        and f.engagement = j.engagement
        and f.assessed_on = j.assessed_on
        and f.assessment_type = j.assessment_type
            and f.upload_id > j.upload_id
    )
