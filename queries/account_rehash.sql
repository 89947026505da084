-- argon2 parameters raised since the hash was made: store the stronger hash.
update accounts set password_hash = $password_hash where email = $email
