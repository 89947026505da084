select count(*) as n_accounts from accounts
