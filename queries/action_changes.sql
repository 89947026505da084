-- Every change of the actions in scope (who, when, before, after), newest first.
select action_id, site_code, changed_at, actor, change, before, after,
from action_changes
where list_contains($sites, site_code)
order by changed_at desc, action_id desc
