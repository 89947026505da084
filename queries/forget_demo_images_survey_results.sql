-- Removing the demonstration: no undo brings a demonstration survey result back.
update survey_result_changes
set
    old_n_tres_satisfait = null, old_n_satisfait = null, old_n_peu_satisfait = null,
    old_n_pas_du_tout_satisfait = null, old_n_sans_avis = null, old_upload_id = null, old_is_demo = null,
where old_is_demo
