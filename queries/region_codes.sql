select region_code, region_name, from regions order by region_code
