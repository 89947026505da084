-- Périmètre of the sites in scope: every period during which a module was retained, with the
-- decisions that opened and closed it.
select
    v.site_code,
    v.module,
    m.module_name,
    m.mandatory,
    v.since,
    v.until,
    v.decision,
    (
        select d.decision from site_module_decisions as d
        where d.site_code = v.site_code and d.module = v.module and d.decided_on = v.until
    ) as until_decision,
from v_site_modules as v
join modules as m using (module)
where list_contains($sites, v.site_code)
order by v.site_code, v.module, v.since
