-- Undo of import $upload_id: the former rows of the cells no later import changed come back.
insert into indicator_values (site_code, indicator_code, period_start, period_kind, value, comment, upload_id, is_demo)
select j.site_code, j.indicator_code, j.period_start, j.period_kind, j.old_value, j.old_comment, j.old_upload_id, j.old_is_demo,
from indicator_value_changes as j
where j.upload_id = $upload_id
    and j.old_value is not null
    and list_contains($sites, j.site_code)
    and not exists (
        select 1 from indicator_value_changes as f
        where f.site_code = j.site_code
        and f.indicator_code = j.indicator_code
        and f.period_start = j.period_start
        and f.period_kind = j.period_kind
            and f.upload_id > j.upload_id
    )
