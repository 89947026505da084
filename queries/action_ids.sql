-- scope: aggregate
-- Which of $ids exist, whatever their site: an import tells "another site's action" from "unknown
-- action" without reading anything of it.
select action_id,
from actions
where list_contains($ids, action_id)
