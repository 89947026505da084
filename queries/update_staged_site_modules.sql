update site_module_decisions as t
set retained = s.retained, decision = s.decision, upload_id = $upload_id, is_demo = $is_demo,
from staging_site_modules as s
where t.site_code = s.site_code
    and t.module = s.module
    and t.decided_on = s.decided_on
    and list_contains($sites, t.site_code)
