-- Survey results of the caller's (filtered) scope for the campaigns of a
-- period's years, for the data exports.
select
    r.site_code,
    s.site_name,
    r.campaign,
    r.question_code,
    q.question_label,
    r.n_tres_satisfait,
    r.n_satisfait,
    r.n_peu_satisfait,
    r.n_pas_du_tout_satisfait,
    r.n_sans_avis,
    r.n_expressed,
    r.satisfaction_rate,
from v_survey_results as r
join sites as s using (site_code)
join questions as q using (question_code)
where list_contains($sites, r.site_code) and r.campaign_year between $first_year and $last_year
order by r.site_code, r.campaign_year, r.campaign, q.module, q.engagement nulls last, r.question_code
