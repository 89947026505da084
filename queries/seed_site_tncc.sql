-- The article (INSEE TNCC) of each departmental prefecture, from data/geo. Only sites
-- still at the default 0 are touched: an administrator's correction is kept.
update sites
set tncc = csv.tncc::integer
from read_csv($path, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"') as csv
where sites.site_code = csv.code_departement and sites.tncc = 0 and sites.site_kind = 'prefecture'
