-- Targets the référentiel file marks illustrative are indicative until an administrator confirms them.
update indicators
set target_indicative = true
where target is not null and target_source ilike '%illustrative%'
