-- The region of every stored site (a new sub-prefecture takes its prefecture's).
select site_code, region_code, from sites
