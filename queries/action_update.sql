-- Every field of one action of the caller's scope (the site never changes).
update actions
set
    module = $module,
    engagement = $engagement,
    origin_kind = $origin_kind,
    origin_key = $origin_key,
    origin_label = $origin_label,
    title = $title,
    description = $description,
    owner = $owner,
    working_group = $working_group,
    decided_on = $decided_on,
    due_on = $due_on,
    status = $status,
    done_on = $done_on,
    comment = $comment,
    updated_at = $now,
    upload_id = coalesce($upload_id, upload_id)
where action_id = $action_id and list_contains($sites, site_code)
returning action_id
