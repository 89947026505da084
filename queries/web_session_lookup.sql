-- A browser session with the account it belongs to (no row: unknown token or account removed).
select
    s.email,
    s.created_at,
    s.last_seen,
    s.expires_at,
    a.updated_at as account_changed_at,
    a.active,
    a.locked_until,
from web_sessions s
join accounts a on a.email = s.email
where s.token_hash = $token_hash
