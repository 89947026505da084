select
    changed_at,
    actor,
    action,
    entity,
    key,
    before::varchar as before,
    after::varchar as after,
from audit_log
where list_contains($entities, entity)
order by changed_at desc, key
limit 500
