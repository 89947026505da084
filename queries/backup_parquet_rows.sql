select count(*) as n_rows from read_parquet($path)
