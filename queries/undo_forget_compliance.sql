-- Undo of import $upload_id: its journal rows, once its changes are undone.
delete from compliance_changes
where upload_id = $upload_id
    and list_contains($sites, site_code)
