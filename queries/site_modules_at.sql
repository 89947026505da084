-- The modules each site of the scope retained on $as_of (its périmètre that day).
select v.site_code, s.site_name, v.module,
from v_site_modules as v
join sites as s using (site_code)
where list_contains($sites, v.site_code) and v.since <= $as_of and (v.until is null or v.until > $as_of)
order by v.site_code, v.module
