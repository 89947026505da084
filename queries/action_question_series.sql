-- One site's results of one survey question, campaign by campaign (the series an action on it is judged on).
select
    r.campaign,
    r.campaign_year,
    make_date(r.campaign_year, 1, 1) as period_start,
    r.n_tres_satisfait + r.n_satisfait as satisfied,
    r.n_expressed,
from v_survey_results as r
where list_contains($sites, r.site_code) and r.site_code = $site_code and r.question_code = $question_code
order by r.campaign_year, r.campaign
