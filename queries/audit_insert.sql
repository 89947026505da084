insert into audit_log (changed_at, actor, action, entity, key, before, after)
values ($now, $actor, $action, $entity, $key, $before::json, $after::json)
