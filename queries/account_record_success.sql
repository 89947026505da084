update accounts
set
    failed_attempts = 0,
    locked_until = null,
    last_login_at = $now,
where email = $email
