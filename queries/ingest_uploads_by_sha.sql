-- Earlier uploads of the same file (same SHA-256) the caller may see.
select upload_id, uploaded_at, uploaded_by, file_name,
from uploads
where sha256 = $sha256
    and not is_demo
    and undone_at is null
    and list_has_any(site_codes, $sites)
order by upload_id
