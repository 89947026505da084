-- What writing the staged périmètre decisions would do (a decision is a site, a module and a date).
with matched as (
    select
        t.site_code is not null as exists_before,
        t.site_code is not null and (
            t.retained <> s.retained or t.decision is distinct from s.decision or t.is_demo <> $is_demo
        ) as differs,
    from staging_site_modules as s
    left join site_module_decisions as t
        on t.site_code = s.site_code and t.module = s.module and t.decided_on = s.decided_on
    where list_contains($sites, s.site_code)
)
select
    count(*) filter (where not exists_before) as n_new,
    count(*) filter (where differs) as n_replaced,
    count(*) filter (where exists_before and not differs) as n_unchanged,
    0 as n_deleted,
from matched
