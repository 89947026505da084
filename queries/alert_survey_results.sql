-- Survey results of each site in scope, question and campaign of the years [$first_year, $last_year] (the alert
-- levels are computed in Python, qualepref.stats, from these counts).
with results_in_scope as (
    select
        site_code,
        campaign,
        campaign_year,
        question_code,
        n_tres_satisfait,
        n_satisfait,
        n_peu_satisfait,
        n_pas_du_tout_satisfait,
        n_expressed,
    from v_survey_results
    where list_contains($sites, site_code)
        and campaign_year between $first_year and $last_year
)

select
    r.site_code,
    s.site_name,
    r.campaign,
    r.campaign_year,
    r.question_code,
    q.question_label,
    q.module,
    r.n_tres_satisfait,
    r.n_satisfait,
    r.n_peu_satisfait,
    r.n_pas_du_tout_satisfait,
    r.n_expressed,
from results_in_scope as r
join questions as q using (question_code)
join sites as s using (site_code)
order by r.site_code, r.campaign_year, r.campaign, r.question_code
