select
    i.indicator_code,
    i.indicator_label,
    i.module,
    i.engagement,
    i.unit,
    i.direction,
    i.target,
    i.frequency,
    i.target_source,
from indicators as i
order by i.module, i.indicator_code
