-- scope: aggregate
-- The id counter stays above every id ever given (a deleted stage's id is never reused).
update meta
set value = greatest(value, (select coalesce(max(event_id), 0) + 1 from label_events))
where key = 'next_label_event_id'
