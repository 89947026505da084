-- New actions of a batch (`staging_actions`, ids already given), inside the caller's scope only.
insert into actions (
    action_id, site_code, module, engagement, origin_kind, origin_key, origin_label, title, description, owner,
    working_group, decided_on, due_on, status, done_on, comment, created_at, created_by, updated_at, upload_id,
    is_demo
)
select
    action_id, site_code, module, engagement, origin_kind, origin_key, origin_label, title, description, owner,
    working_group, decided_on, due_on, status, done_on, comment, $now, $actor, $now, $upload_id, $is_demo
from staging_actions
where list_contains($sites, site_code)
