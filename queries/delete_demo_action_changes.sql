delete from action_changes where is_demo
