-- The former row of every survey result a classified batch writes (import undo).
insert into survey_result_changes
select
    $upload_id, site_code, campaign, campaign_year, question_code,
    old_n_tres_satisfait, old_n_satisfait, old_n_peu_satisfait, old_n_pas_du_tout_satisfait, old_n_sans_avis,
    old_upload_id, old_is_demo,
from classified_survey_results
where status in ('new', 'replaced')
    and list_contains($sites, site_code)
