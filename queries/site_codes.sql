select site_code from sites where active order by site_code
