-- The cells import $upload_id changed (its journal rows) with, for each, the next import that
-- changed the same cell since (NULL: none, the cell still holds what $upload_id wrote).
select
    j.*,
    (
        select min(f.upload_id) from survey_result_changes as f
        where f.site_code = j.site_code
        and f.campaign = j.campaign
        and f.question_code = j.question_code
            and f.upload_id > j.upload_id
    ) as next_upload_id,
from survey_result_changes as j
where j.upload_id = $upload_id
    and list_contains($sites, j.site_code)
order by all
