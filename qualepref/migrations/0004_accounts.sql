-- Local accounts and the audit log of administrative changes.
-- `password_hash` is an argon2 hash (never the password); NULL for accounts
-- that only sign in through OIDC (the State's SSO). `email` is stored in
-- lower case and is the key OIDC identities are matched on.

create table accounts (
    email varchar primary key,
    display_name varchar not null,
    role varchar not null check (role in ('referent', 'copil', 'ministere', 'admin')),
    site_code varchar,
    password_hash varchar,
    active boolean not null default true,
    failed_attempts integer not null default 0,
    locked_until timestamp,
    created_at timestamp not null,
    updated_at timestamp not null,
    last_login_at timestamp,
    check ((role in ('referent', 'copil')) = (site_code is not null))
);

create table audit_log (
    changed_at timestamp not null,
    actor varchar not null,
    action varchar not null,
    entity varchar not null,
    key varchar not null,
    before json,
    after json
);
