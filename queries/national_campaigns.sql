-- scope: aggregate
-- Survey campaigns present in the database (labels, no site named), oldest first.
select distinct campaign, campaign_year,
from v_survey_results
order by campaign_year, campaign
