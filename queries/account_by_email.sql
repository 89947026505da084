select
    email,
    display_name,
    role,
    site_code,
    password_hash,
    active,
    failed_attempts,
    locked_until,
from accounts
where email = $email
