insert into indicators
select
    code as indicator_code,
    libelle as indicator_label,
    module::integer as module,
    nullif(engagement, '')::integer as engagement,
    unite as unit,
    nullif(sens, '') as direction,
    replace(nullif(cible, ''), ',', '.')::double as target,
    frequence as frequency,
    source_cible as target_source,
from read_csv($path, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')
