delete from actions where is_demo
