-- scope: aggregate
select count(*) as n_demo_uploads from uploads where is_demo
