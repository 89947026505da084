-- Whether this very target row is already stored (an import of the same file twice changes nothing).
select count(*) > 0
from targets
where indicator_code = $indicator_code
    and site_code is not distinct from $site_code
    and target = $target
    and strict = $strict
    and valid_from is not distinct from $valid_from
    and valid_to is not distinct from $valid_to
    and source is not distinct from $source
    and status = $status
