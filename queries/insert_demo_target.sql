-- A demonstration target (a site's own, approved or proposed), flagged and removed with the demonstration.
insert into targets (target_id, indicator_code, site_code, target, direction, strict, valid_from, valid_to,
                     source, indicative, status, proposed_by, proposed_at, decided_by, decided_at, is_demo)
select
    coalesce(max(target_id), 0) + 1,
    $indicator_code, $site_code, $target, $direction, $strict, $valid_from, null, $source, false,
    $status, 'démonstration', $proposed_at, case when $status = 'approved' then 'démonstration' end,
    case when $status = 'approved' then $proposed_at end, true,
from targets
