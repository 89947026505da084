-- The former row of every cell a classified batch writes or deletes (import undo).
insert into indicator_value_changes
select
    $upload_id, site_code, indicator_code, period_start, period_kind,
    old_value, old_comment, old_upload_id, old_is_demo,
from classified_indicator_values
where status in ('new', 'replaced', 'deleted')
    and list_contains($sites, site_code)
