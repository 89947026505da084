-- One target row (approved: in force from valid_from; proposed: waiting for an administrator).
insert into targets (target_id, indicator_code, site_code, target, direction, strict, valid_from, valid_to,
                     source, indicative, status, proposed_by, proposed_at, decided_by, decided_at, upload_id)
select
    coalesce(max(target_id), 0) + 1,
    $indicator_code, $site_code, $target, $direction, $strict, $valid_from, $valid_to, $source, $indicative,
    $status, $proposed_by, $proposed_at, $decided_by, $decided_at, $upload_id,
from targets
returning target_id
