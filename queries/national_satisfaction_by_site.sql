-- Satisfaction of each site of the scope in campaign $campaign, for one
-- question or, when $question is '', over every question.
with answers as (
    select
        site_code,
        sum(n_tres_satisfait + n_satisfait) as n_satisfied,
        sum(n_expressed) as n_expressed,
    from v_survey_results
    where list_contains($sites, site_code)
        and campaign = $campaign
        and ($question = '' or question_code = $question)
    group by site_code
)

select
    s.site_code,
    s.site_name,
    s.region_code,
    r.region_name,
    coalesce(a.n_satisfied, 0) as n_satisfied,
    coalesce(a.n_expressed, 0) as n_expressed,
from sites as s
join regions as r using (region_code)
left join answers as a using (site_code)
where s.active and s.site_kind = $compared_kind and list_contains($sites, s.site_code)
order by s.site_code
