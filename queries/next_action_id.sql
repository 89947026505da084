-- scope: aggregate
select greatest((select value from meta where key = 'next_action_id'),
                (select coalesce(max(action_id), 0) + 1 from actions)) as next_id
