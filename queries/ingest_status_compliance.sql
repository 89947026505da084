-- What writing the staged batch would do (import preview), per site × engagement: the first
-- and last assessment date, the rows, and the rows per status (new, replacing a different
-- result, unchanged).
with stored as (
    select site_code, module, engagement, assessed_on, assessment_type, result,
    from compliance_assessments
    where list_contains($sites, site_code)
),
rows as (
    select
        s.site_code,
        'Module ' || s.module || ', engagement ' || s.engagement as item,
        cast(s.assessed_on as date) as assessed_on,
        case
            when t.site_code is null then 'nouvelle'
            when t.result <> s.result then 'remplacée'
            else 'inchangée'
        end as status,
    from staging_compliance as s
    left join stored as t
        on t.site_code = s.site_code
        and t.module = s.module
        and t.engagement = s.engagement
        and t.assessed_on = s.assessed_on
        and t.assessment_type = s.assessment_type
)
select
    site_code,
    item,
    min(assessed_on) as first_day,
    max(assessed_on) as last_day,
    count(*) as n_rows,
    count(*) filter (where status = 'nouvelle') as n_new,
    count(*) filter (where status = 'remplacée') as n_replaced,
    count(*) filter (where status = 'inchangée') as n_unchanged,
    0 as n_deleted,
from rows
group by site_code, item
order by site_code, item
