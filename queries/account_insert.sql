insert into accounts (
    email, display_name, role, site_code, password_hash, active,
    failed_attempts, locked_until, created_at, updated_at
)
values (
    $email, $display_name, $role, $site_code, $password_hash, true,
    0, null, $now, $now
)
