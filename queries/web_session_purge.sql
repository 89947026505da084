-- Sessions past their end or idle for too long: no longer usable, removed when a new one opens.
delete from web_sessions where expires_at <= $now or last_seen <= $idle_since
