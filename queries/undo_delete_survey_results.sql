-- Undo of import $upload_id: the rows it wrote in cells no later import changed.
delete from survey_results as t
using survey_result_changes as j
where j.upload_id = $upload_id
    and t.site_code = j.site_code
        and t.campaign = j.campaign
        and t.question_code = j.question_code
    and list_contains($sites, t.site_code)
    and not exists (
        select 1 from survey_result_changes as f
        where f.site_code = j.site_code
        and f.campaign = j.campaign
        and f.question_code = j.question_code
            and f.upload_id > j.upload_id
    )
