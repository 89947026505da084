-- The new and replacing survey results of a classified batch.
insert into survey_results (
    site_code, campaign, campaign_year, question_code, n_tres_satisfait, n_satisfait, n_peu_satisfait,
    n_pas_du_tout_satisfait, n_sans_avis, upload_id, is_demo
)
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
    $upload_id as upload_id,
    $is_demo as is_demo,
from classified_survey_results
where status in ('new', 'replaced')
    and list_contains($sites, site_code)
