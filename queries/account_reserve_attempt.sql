-- One sign-in attempt reserved, atomically, before its password is verified: counted as a
-- failure until a success resets the count, so parallel guesses cannot overwrite each other.
-- The attempt that reaches $max_failures locks the account until $locked_until. A locked,
-- inactive or password-less account reserves nothing (no row returned: no verification).
-- An expired lock starts a new series.
update accounts
set
    failed_attempts = case when locked_until is not null then 1 else failed_attempts + 1 end,
    locked_until = case
        when (case when locked_until is not null then 1 else failed_attempts + 1 end) >= $max_failures
            then $locked_until
    end,
where email = $email
    and active
    and password_hash is not null
    and (locked_until is null or locked_until <= $now)
returning failed_attempts, password_hash, locked_until
