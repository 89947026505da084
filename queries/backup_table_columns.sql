select column_name
from information_schema.columns
where table_schema = 'main' and table_name = $table_name
order by ordinal_position
