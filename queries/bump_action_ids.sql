-- scope: aggregate
-- The id counter stays above every id ever given (a removed demonstration action's id is never reused).
update meta
set value = greatest(value, (select coalesce(max(action_id), 0) + 1 from actions))
where key = 'next_action_id'
