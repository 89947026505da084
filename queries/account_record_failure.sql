update accounts
set
    failed_attempts = $failed_attempts,
    locked_until = $locked_until,
where email = $email
