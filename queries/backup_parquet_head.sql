-- No row: only the names of the columns a backup file holds (checked before anything is loaded).
select * from read_parquet($path) limit 0
