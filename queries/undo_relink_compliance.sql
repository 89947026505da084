-- Undo of import $upload_id for a cell a later import changed since: that import now replaces the
-- row $upload_id had found (the cell keeps its current value; undoing the later import too brings
-- back what was there before both).
update compliance_changes as f
set
    old_result = j.old_result,
    old_upload_id = j.old_upload_id,
    old_is_demo = j.old_is_demo,
from compliance_changes as j
where j.upload_id = $upload_id
    and f.site_code = j.site_code
        and f.module = j.module
        and f.engagement = j.engagement
        and f.assessed_on = j.assessed_on
        and f.assessment_type = j.assessment_type
    and list_contains($sites, j.site_code)
    and f.upload_id = (
        select min(g.upload_id) from compliance_changes as g
        where g.site_code = j.site_code
        and g.module = j.module
        and g.engagement = j.engagement
        and g.assessed_on = j.assessed_on
        and g.assessment_type = j.assessment_type
            and g.upload_id > j.upload_id
    )
