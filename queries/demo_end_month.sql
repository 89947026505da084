-- scope: aggregate
-- The last month of the demonstration figures (the demonstration's "now").
select max(period_start) as end_month, from indicator_values where is_demo
