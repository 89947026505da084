-- Every site, active or not, for the administrator's page (reference data, no figures).
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
    s.active,
    s.is_demo,
from sites as s
left join regions as r using (region_code)
order by coalesce(s.parent_code, s.site_code), s.parent_code is not null, s.site_code
