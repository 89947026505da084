delete from web_sessions where token_hash = $token_hash
