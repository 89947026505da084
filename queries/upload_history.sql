-- Upload history. A row is visible only when every site it touched is in the
-- caller's scope (an upload spanning other prefectures stays hidden);
-- $selected_sites (the sidebar filter) keeps uploads touching any of them.
with visible as (
    select *
    from uploads
    where list_has_all($sites, site_codes)
),

filtered as (
    select *
    from visible
    where list_has_any(site_codes, $selected_sites)
        and list_contains($kinds, kind)
)

select
    upload_id,
    uploaded_at,
    uploaded_by,
    file_name,
    sha256,
    kind,
    site_codes,
    len(site_codes) as n_sites,
    period_min,
    period_max,
    rows_written,
    rows_replaced,
    rows_deleted,
    is_demo,
    journaled,
    undone_at,
    undone_by,
from filtered
order by uploaded_at desc, upload_id desc
