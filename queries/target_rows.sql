-- The targets that are or were in force (approved) for the caller's sites and the national
-- defaults: the rows qualepref.targets resolves each judgement against.
select
    indicator_code,
    site_code,
    target,
    direction,
    strict,
    valid_from,
    valid_to,
    source,
    indicative,
from targets
where status = 'approved'
    and (site_code is null or list_contains($sites, site_code))
order by indicator_code, site_code nulls first, valid_from nulls first
