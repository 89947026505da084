with matched as (
    select
        t.site_code is not null as exists_before,
        t.site_code is not null and t.result <> s.result as differs,
    from staging_compliance as s
    left join compliance_assessments as t
        on t.site_code = s.site_code
        and t.module = s.module
        and t.engagement = s.engagement
        and t.assessed_on = s.assessed_on
        and t.assessment_type = s.assessment_type
)
select
    count(*) filter (where not exists_before) as n_new,
    count(*) filter (where differs) as n_replaced,
    count(*) filter (where exists_before and not differs) as n_unchanged,
    0 as n_deleted,
from matched
