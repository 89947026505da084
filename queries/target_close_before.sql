-- A target set from $day: the approved row of the same indicator and site in force that day
-- (started before it, not ended before it) now ends on $last_day, the day before.
update targets
set valid_to = $last_day
where status = 'approved'
    and indicator_code = $indicator_code
    and site_code is not distinct from $site_code
    and (valid_from is null or valid_from < $day)
    and (valid_to is null or valid_to >= $day)
