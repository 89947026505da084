-- Every stored site (active or not) with its kind and parent: what a site edit is checked against.
select site_code, site_kind, parent_code, active, from sites order by site_code
