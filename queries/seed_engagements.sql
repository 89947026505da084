insert into engagements
select
    module::integer as module,
    engagement::integer as engagement,
    theme,
    libelle as engagement_label,
from read_csv($path, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')
