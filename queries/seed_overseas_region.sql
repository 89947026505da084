-- The collectivités d'outre-mer belong to no INSEE region: one pseudo-region groups them
-- in the region filter (code `COM`).
insert into regions (region_code, region_name)
select 'COM', 'Collectivités d''outre-mer'
where not exists (select 1 from regions where region_code = 'COM')
