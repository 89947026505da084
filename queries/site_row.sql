-- One site as an edit compares it (the order of sites_edit.Site's fields, then zone).
select site_code, site_name, site_kind, parent_code, tncc, region_code, prefecture_city, lon, lat, active, zone,
from sites
where site_code = $site_code
