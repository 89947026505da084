-- Active sites with their parent (a sub-prefecture's prefecture): what scopes are minted from.
select site_code, parent_code, from sites where active order by site_code
