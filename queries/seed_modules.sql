insert into modules
select
    module::integer as module,
    nom as module_name,
    obligatoire = 'oui' as mandatory,
    themes,
from read_csv($path, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')
