delete from site_module_decisions where is_demo
