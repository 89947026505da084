insert into sites (site_code, site_name, region_code, prefecture_city, zone, lon, lat)
select
    code_departement as site_code,
    nom_departement as site_name,
    code_region as region_code,
    nom_chef_lieu as prefecture_city,
    zone,
    lon_chef_lieu::double as lon,
    lat_chef_lieu::double as lat,
from read_csv($path, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')
order by site_code
