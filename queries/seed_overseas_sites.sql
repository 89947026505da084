-- Overseas collectivités (INSEE COG): inactive until an administrator switches on those
-- that take part in the démarche. A code already present is left as it is.
insert into sites (site_code, site_name, site_kind, tncc, region_code, prefecture_city, zone, active)
select
    csv.code,
    csv.nom,
    csv.type_site,
    csv.tncc::integer,
    'COM',
    csv.nom_chef_lieu,
    'com',
    csv.actif = 'oui',
from read_csv($path, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"') as csv
where csv.code not in (select site_code from sites)
order by csv.code
