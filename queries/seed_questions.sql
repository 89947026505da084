insert into questions
select
    code as question_code,
    libelle as question_label,
    module::integer as module,
    nullif(engagement, '')::integer as engagement,
from read_csv($path, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"')
