-- One upload, if the caller may see it (every site it touched is in the scope).
select upload_id, uploaded_at, uploaded_by, file_name, kind, site_codes, is_demo, journaled, undone_at, undone_by,
from uploads
where upload_id = $upload_id
    and list_has_all($sites, site_codes)
