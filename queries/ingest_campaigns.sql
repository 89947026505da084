-- scope: aggregate
-- Survey campaign labels already stored (every site: labels only, no figure), so a file writing
-- one in another case or accents joins the same campaign.
select distinct campaign,
from survey_results
order by campaign
