update web_sessions set last_seen = $now where token_hash = $token_hash
