-- The creation line of each new action of a batch (`staging_actions`: its id, site and fields as JSON).
insert into action_changes (action_id, site_code, changed_at, actor, change, before, after, upload_id, is_demo)
select action_id, site_code, $now, $actor, $change, null, after_json, $upload_id, $is_demo
from staging_actions
where list_contains($sites, site_code)
