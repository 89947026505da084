-- Undo of import $upload_id: the rows it wrote in cells no later import changed.
delete from compliance_assessments as t
using compliance_changes as j
where j.upload_id = $upload_id
    and t.site_code = j.site_code
        and t.module = j.module
        and t.engagement = j.engagement
        and t.assessed_on = j.assessed_on
        and t.assessment_type = j.assessment_type
    and list_contains($sites, t.site_code)
    and not exists (
        select 1 from compliance_changes as f
        where f.site_code = j.site_code
        and f.module = j.module
        and f.engagement = j.engagement
        and f.assessed_on = j.assessed_on
        and f.assessment_type = j.assessment_type
            and f.upload_id > j.upload_id
    )
