insert into regions
select distinct
    code_region as region_code,
    nom_region as region_name,
from read_csv($path, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')
order by region_code
