-- A demonstration sub-prefecture (flagged, removed with the demonstration). A site already
-- there (an administrator created it) is left as it is.
insert into sites (site_code, site_name, site_kind, parent_code, tncc, region_code, prefecture_city, zone, is_demo)
select $site_code, $site_name, 'sous_prefecture', $parent_code, $tncc, $region_code, $site_name, $zone, true
where not exists (select 1 from sites where site_code = $site_code)
