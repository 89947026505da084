-- The indicators of the référentiel, every column (`select *`: the demonstration loader also
-- reads it on databases built by the first migrations, before `target_indicative` existed).
select i.*,
from indicators as i
order by i.module, i.indicator_code
