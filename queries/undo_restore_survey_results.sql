-- Undo of import $upload_id: the former rows of the cells no later import changed come back.
insert into survey_results (site_code, campaign, question_code, campaign_year, n_tres_satisfait, n_satisfait, n_peu_satisfait, n_pas_du_tout_satisfait, n_sans_avis, upload_id, is_demo)
select j.site_code, j.campaign, j.question_code, j.campaign_year, j.old_n_tres_satisfait, j.old_n_satisfait, j.old_n_peu_satisfait, j.old_n_pas_du_tout_satisfait, j.old_n_sans_avis, j.old_upload_id, j.old_is_demo,
from survey_result_changes as j
where j.upload_id = $upload_id
    and j.old_n_tres_satisfait is not null
    and list_contains($sites, j.site_code)
    and not exists (
        select 1 from survey_result_changes as f
        where f.site_code = j.site_code
        and f.campaign = j.campaign
        and f.question_code = j.question_code
            and f.upload_id > j.upload_id
    )
