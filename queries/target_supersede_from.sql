-- A target set from $day: approved rows of the same indicator and site (NULL = national) that would
-- start on or after that day are superseded (kept for the history, never in force again).
update targets
set status = 'superseded'
where status = 'approved'
    and indicator_code = $indicator_code
    and site_code is not distinct from $site_code
    and valid_from >= $day
