-- An administrator's decision on a proposed target.
update targets
set status = $status, decided_by = $decided_by, decided_at = $decided_at, decision_note = $decision_note
where target_id = $target_id and status = 'proposed'
