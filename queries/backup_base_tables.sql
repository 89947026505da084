-- The tables a backup holds and a restore loads: those the project's migrations create.
select table_name
from information_schema.tables
where table_schema = 'main' and table_type = 'BASE TABLE'
order by table_name
