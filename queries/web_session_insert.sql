insert into web_sessions (token_hash, email, created_at, last_seen, expires_at)
values ($token_hash, $email, $now, $now, $expires_at)
