-- A new password also lifts a lock-out.
update accounts
set
    password_hash = $password_hash,
    failed_attempts = 0,
    locked_until = null,
    updated_at = $now,
where email = $email
