delete from label_events where is_demo
