-- The history rows of the uploads $upload_ids that the caller may see (an import preview names
-- the file whose values it would replace).
select upload_id, uploaded_at, uploaded_by, file_name, is_demo,
from uploads
where list_contains($upload_ids, upload_id)
    and list_has_all($sites, site_codes)
order by upload_id
