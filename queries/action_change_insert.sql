insert into action_changes (action_id, site_code, changed_at, actor, change, before, after, upload_id, is_demo)
select $action_id, $site_code, $now, $actor, $change, $before, $after, $upload_id, $is_demo
where list_contains($sites, $site_code)
