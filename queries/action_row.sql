-- One action of the caller's scope, every stored field (what a change is compared with).
select
    action_id, site_code, module, engagement, origin_kind, origin_key, origin_label, title, description,
    owner, working_group, decided_on, due_on, status, done_on, comment, is_demo,
from actions
where action_id = $action_id and list_contains($sites, site_code)
