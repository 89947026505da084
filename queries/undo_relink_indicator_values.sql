-- Undo of import $upload_id for a cell a later import changed since: that import now replaces the
-- row $upload_id had found (the cell keeps its current value; undoing the later import too brings
-- back what was there before both).
update indicator_value_changes as f
set
    old_value = j.old_value,
    old_comment = j.old_comment,
    old_upload_id = j.old_upload_id,
    old_is_demo = j.old_is_demo,
from indicator_value_changes as j
where j.upload_id = $upload_id
    and f.site_code = j.site_code
        and f.indicator_code = j.indicator_code
        and f.period_start = j.period_start
        and f.period_kind = j.period_kind
    and list_contains($sites, j.site_code)
    and f.upload_id = (
        select min(g.upload_id) from indicator_value_changes as g
        where g.site_code = j.site_code
        and g.indicator_code = j.indicator_code
        and g.period_start = j.period_start
        and g.period_kind = j.period_kind
            and g.upload_id > j.upload_id
    )
