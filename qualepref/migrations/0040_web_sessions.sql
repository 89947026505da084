-- Signed-in browser sessions, so that a reload or a link opened in a new tab does not sign out.
-- The browser holds a random token in an HttpOnly cookie; only its SHA-256 is kept here, so a
-- copy of the database gives no usable session. A row is the session: deleting it signs out.
create table web_sessions (
    token_hash varchar primary key,
    email varchar not null,
    created_at timestamp not null,
    last_seen timestamp not null,
    expires_at timestamp not null
);
