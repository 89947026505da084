-- The former row of every assessment a classified batch writes (import undo).
insert into compliance_changes
select
    $upload_id, site_code, module, engagement, assessed_on, assessment_type,
    old_result, old_upload_id, old_is_demo,
from classified_compliance
where status in ('new', 'replaced')
    and list_contains($sites, site_code)
