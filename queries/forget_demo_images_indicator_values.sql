-- Removing the demonstration: a cell an import took from the demonstration goes back to empty
-- if that import is undone (no undo brings a demonstration row back).
update indicator_value_changes
set old_value = null, old_comment = null, old_upload_id = null, old_is_demo = null,
where old_is_demo
