-- Every active site with the spellings an uploaded file may use (reference
-- data, not site data: the importer must recognise sites outside the caller's
-- scope to say so).
select site_code, site_name, prefecture_city,
from sites
where active
order by site_code
