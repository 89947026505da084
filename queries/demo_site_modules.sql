-- The modules each demonstration site was assessed on (module 1 and its optional ones): the
-- périmètre its demonstration history retains.
select site_code, list(distinct module order by module) as modules,
from compliance_assessments
where is_demo and list_contains($sites, site_code)
group by site_code
order by site_code
