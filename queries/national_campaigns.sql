-- scope: aggregate
-- Survey campaigns present in the database (years only, no site named).
select distinct campaign,
from v_survey_results
order by campaign
