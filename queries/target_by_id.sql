-- One target row, whatever its status (for a decision on a proposal).
select *,
from targets
where target_id = $target_id
    and (site_code is null or list_contains($sites, site_code))
