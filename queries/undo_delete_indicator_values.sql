-- Undo of import $upload_id: the rows it wrote in cells no later import changed.
delete from indicator_values as t
using indicator_value_changes as j
where j.upload_id = $upload_id
    and t.site_code = j.site_code
        and t.indicator_code = j.indicator_code
        and t.period_start = j.period_start
        and t.period_kind = j.period_kind
    and list_contains($sites, t.site_code)
    and not exists (
        select 1 from indicator_value_changes as f
        where f.site_code = j.site_code
        and f.indicator_code = j.indicator_code
        and f.period_start = j.period_start
        and f.period_kind = j.period_kind
            and f.upload_id > j.upload_id
    )
