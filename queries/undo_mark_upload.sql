-- The upload's history row says it was undone, by whom and when (the row stays: the history is kept).
update uploads
set undone_at = $undone_at, undone_by = $undone_by,
where upload_id = $upload_id
    and list_has_all($sites, site_codes)
