-- How each staged survey result meets the stored one (see classify_staged_indicator_values):
-- 'new', 'replaced' (other counts, or demonstration counts taken over by an import), 'unchanged'.
select
    s.site_code,
    s.campaign,
    s.campaign_year,
    s.question_code,
    s.n_tres_satisfait,
    s.n_satisfait,
    s.n_peu_satisfait,
    s.n_pas_du_tout_satisfait,
    s.n_sans_avis,
    case
        when t.site_code is null then 'new'
        when (
            t.n_tres_satisfait, t.n_satisfait, t.n_peu_satisfait, t.n_pas_du_tout_satisfait, t.n_sans_avis
        ) is not distinct from (
            s.n_tres_satisfait, s.n_satisfait, s.n_peu_satisfait, s.n_pas_du_tout_satisfait, s.n_sans_avis
        ) and t.is_demo = $is_demo then 'unchanged'
        else 'replaced'
    end as status,
    t.n_tres_satisfait as old_n_tres_satisfait,
    t.n_satisfait as old_n_satisfait,
    t.n_peu_satisfait as old_n_peu_satisfait,
    t.n_pas_du_tout_satisfait as old_n_pas_du_tout_satisfait,
    t.n_sans_avis as old_n_sans_avis,
    t.upload_id as old_upload_id,
    t.is_demo as old_is_demo,
from staging_survey_results as s
left join survey_results as t
    on t.site_code = s.site_code
    and t.campaign = s.campaign
    and t.question_code = s.question_code
    and list_contains($sites, t.site_code)
where list_contains($sites, s.site_code)
