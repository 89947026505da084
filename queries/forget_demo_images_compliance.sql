-- Removing the demonstration: no undo brings a demonstration assessment back.
update compliance_changes
set old_result = null, old_upload_id = null, old_is_demo = null,
where old_is_demo
