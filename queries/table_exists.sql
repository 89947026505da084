-- Whether a table exists (the demonstration loader also writes databases built by older migrations).
select count(*) > 0 from information_schema.tables where table_name = $table
