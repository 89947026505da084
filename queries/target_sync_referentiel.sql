-- The référentiel's `target` column shows the national target in force $today (NULL when none is):
-- pages that list the référentiel read it; every judgement reads `targets` itself.
update indicators as i
set target = t.target, direction = coalesce(t.direction, i.direction), target_indicative = t.indicative
from (
    select
        $indicator_code as indicator_code,
        max(target) as target,
        max(direction) as direction,
        coalesce(bool_or(indicative), false) as indicative,
    from targets
    where status = 'approved' and site_code is null and indicator_code = $indicator_code
        and (valid_from is null or valid_from <= $today) and (valid_to is null or valid_to >= $today)
) as t
where i.indicator_code = t.indicator_code
