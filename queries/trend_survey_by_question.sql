-- Satisfaction per question and campaign for the scope: answers of the sites
-- in scope pooled (counts summed), so the rate and its interval rest on every
-- expressed answer. Campaigns are labels ('2025', '2025 en ligne') of the years [$first_year, $last_year].
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
        n_sans_avis,
        n_expressed,
    from v_survey_results
    where list_contains($sites, site_code)
        and campaign_year between $first_year and $last_year
)

select
    r.campaign,
    r.campaign_year,
    r.question_code,
    q.question_label,
    q.module,
    q.engagement,
    sum(r.n_tres_satisfait) as n_tres_satisfait,
    sum(r.n_satisfait) as n_satisfait,
    sum(r.n_peu_satisfait) as n_peu_satisfait,
    sum(r.n_pas_du_tout_satisfait) as n_pas_du_tout_satisfait,
    sum(r.n_sans_avis) as n_sans_avis,
    sum(r.n_expressed) as n_expressed,
    count(distinct r.site_code) as n_sites,
from results_in_scope as r
join questions as q using (question_code)
group by r.campaign, r.campaign_year, r.question_code, q.question_label, q.module, q.engagement
-- The référentiel's order (by engagement, the overall question last) is the charts' order.
order by r.campaign_year, r.campaign, q.module, q.engagement nulls last, r.question_code
