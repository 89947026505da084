insert into uploads (
    upload_id, uploaded_at, uploaded_by, file_name, sha256, kind, site_codes,
    period_min, period_max, rows_written, rows_replaced, rows_deleted, is_demo, journaled
)
values (
    $upload_id, current_timestamp, $uploaded_by, $file_name, $sha256, $kind, $site_codes,
    $period_min, $period_max, $rows_written, $rows_replaced, $rows_deleted, $is_demo, $journaled
)
