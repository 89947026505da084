-- The pilotes named by earlier actions of the scope (suggestions for a new one), most used first.
select owner, count(*) as n,
from actions
where list_contains($sites, site_code) and owner is not null
group by owner
order by n desc, owner
