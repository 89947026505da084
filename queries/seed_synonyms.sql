insert into synonyms
select
    type as item_kind,
    code as item_code,
    synonyme as synonym,
from read_csv($path, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')
