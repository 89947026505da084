delete from indicator_values where is_demo
