-- The prefecture a COPIL pack is about (only if it is inside the caller's scope).
select
    s.site_code,
    s.site_name,
    s.prefecture_city,
    s.site_kind,
    s.tncc,
    r.region_name,
from sites as s
join regions as r using (region_code)
where list_contains($sites, s.site_code) and s.site_code = $site_code
