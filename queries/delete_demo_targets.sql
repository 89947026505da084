delete from targets where is_demo
