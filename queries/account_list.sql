-- Never the password hash: only whether a password is set.
select
    a.email,
    a.display_name,
    a.role,
    a.site_code,
    s.site_name,
    a.active,
    a.password_hash is not null as has_password,
    a.failed_attempts,
    a.locked_until,
    a.created_at,
    a.last_login_at,
from accounts as a
left join sites as s using (site_code)
order by a.email
