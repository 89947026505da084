update accounts
set
    display_name = $display_name,
    role = $role,
    site_code = $site_code,
    active = $active,
    updated_at = $now,
where email = $email
