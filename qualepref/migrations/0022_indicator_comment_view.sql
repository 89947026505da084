-- The référent's comment on each value, in the analysts' view (a column added at the end:
-- queries and scripts that name their columns are unchanged).
create or replace view v_indicator_values as
select site_code, indicator_code, period_start, period_kind, value, comment
from indicator_values;
