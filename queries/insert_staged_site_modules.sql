insert into site_module_decisions (site_code, module, decided_on, retained, decision, upload_id, is_demo)
select s.site_code, s.module, s.decided_on, s.retained, s.decision, $upload_id, $is_demo,
from staging_site_modules as s
anti join site_module_decisions as t
    on t.site_code = s.site_code and t.module = s.module and t.decided_on = s.decided_on
where list_contains($sites, s.site_code)
