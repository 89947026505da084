-- Undo of import $upload_id for a cell a later import changed since: that import now replaces the
-- row $upload_id had found (the cell keeps its current value; undoing the later import too brings
-- back what was there before both).
update survey_result_changes as f
set
    old_n_tres_satisfait = j.old_n_tres_satisfait,
    old_n_satisfait = j.old_n_satisfait,
    old_n_peu_satisfait = j.old_n_peu_satisfait,
    old_n_pas_du_tout_satisfait = j.old_n_pas_du_tout_satisfait,
    old_n_sans_avis = j.old_n_sans_avis,
    old_upload_id = j.old_upload_id,
    old_is_demo = j.old_is_demo,
from survey_result_changes as j
where j.upload_id = $upload_id
    and f.site_code = j.site_code
        and f.campaign = j.campaign
        and f.question_code = j.question_code
    and list_contains($sites, j.site_code)
    and f.upload_id = (
        select min(g.upload_id) from survey_result_changes as g
        where g.site_code = j.site_code
        and g.campaign = j.campaign
        and g.question_code = j.question_code
            and g.upload_id > j.upload_id
    )
