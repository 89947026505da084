-- One prefecture's satisfaction survey results for every campaign up to the
-- pack's last year, with the question labels.
select
    r.campaign,
    r.campaign_year,
    r.question_code,
    q.question_label,
    q.module,
    q.engagement,
    r.n_tres_satisfait,
    r.n_satisfait,
    r.n_peu_satisfait,
    r.n_pas_du_tout_satisfait,
    r.n_sans_avis,
    r.n_expressed,
    r.satisfaction_rate,
from v_survey_results as r
join questions as q using (question_code)
where
    list_contains($sites, r.site_code)
    and r.site_code = $site_code
    and r.campaign_year <= $last_year
order by r.campaign_year, r.campaign, q.module, q.engagement nulls last, r.question_code
