-- For each site of the scope and each survey campaign of the years
-- [$start_year, $end_year] held in the database (campaign years are national,
-- not site data), how many questions the site sent results for.
with campaigns as (
    select distinct campaign, campaign_year,
    from survey_results
    where campaign_year between $start_year and $end_year
),

sent as (
    select site_code, campaign, count(distinct question_code) as n_questions,
    from v_survey_results
    where list_contains($sites, site_code)
    group by site_code, campaign
)

select
    s.site_code,
    s.site_name,
    c.campaign,
    coalesce(t.n_questions, 0) as n_questions,
from sites as s
cross join campaigns as c
left join sent as t on t.site_code = s.site_code and t.campaign = c.campaign
where s.active and list_contains($sites, s.site_code)
order by s.site_code, c.campaign_year, c.campaign
