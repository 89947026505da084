select
    s.site_code,
    s.site_name,
    s.site_kind,
    s.parent_code,
    s.tncc,
    s.region_code,
    r.region_name,
    s.prefecture_city,
    s.zone,
    s.lon,
    s.lat,
from sites as s
join regions as r using (region_code)
where s.active and list_contains($sites, s.site_code)
order by coalesce(s.parent_code, s.site_code), s.parent_code is not null, s.site_code
