delete from sites where is_demo
