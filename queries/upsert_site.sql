-- Create or update a site (an administrator's edit, the `sites` import). A site edited by hand is
-- no longer a demonstration site.
insert into sites (
    site_code, site_name, site_kind, parent_code, tncc, region_code, prefecture_city, zone, lon, lat, active, is_demo
)
values (
    $site_code, $site_name, $site_kind, $parent_code, $tncc, $region_code, $prefecture_city, $zone, $lon, $lat,
    $active, false
)
on conflict (site_code) do update set
    site_name = excluded.site_name,
    site_kind = excluded.site_kind,
    parent_code = excluded.parent_code,
    tncc = excluded.tncc,
    region_code = excluded.region_code,
    prefecture_city = excluded.prefecture_city,
    zone = excluded.zone,
    lon = excluded.lon,
    lat = excluded.lat,
    active = excluded.active,
    is_demo = false
