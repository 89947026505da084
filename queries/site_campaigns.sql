-- Survey campaigns received from the sites in scope.
select distinct site_code, campaign,
from v_survey_results
where list_contains($sites, site_code)
order by site_code, campaign
