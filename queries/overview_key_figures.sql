-- Key figures of the caller's scope: last month with data, share of values
-- meeting their target that month, satisfaction of the last campaign,
-- compliance of the latest assessment of each engagement.
with values_in_scope as (
    select v.*, i.direction, i.target,
    from v_indicator_values as v
    join indicators as i using (indicator_code)
    where list_contains($sites, v.site_code) and v.period_kind = 'month'
),

last_month as (
    select max(period_start) as period_start from values_in_scope
),

targets_last_month as (
    select
        count(*) filter (where direction is not null and target is not null) as n_with_target,
        count(*) filter (
            where (direction = 'baisse' and value <= target) or (direction = 'hausse' and value >= target)
        ) as n_meeting_target,
        count(distinct site_code) as n_sites_reporting,
    from values_in_scope
    where period_start = (select period_start from last_month)
),

survey as (
    select
        max(campaign) as last_campaign,
    from v_survey_results
    where list_contains($sites, site_code)
),

satisfaction as (
    select
        sum(n_tres_satisfait + n_satisfait) as n_satisfied,
        sum(n_expressed) as n_expressed,
    from v_survey_results
    where list_contains($sites, site_code) and campaign = (select last_campaign from survey)
),

latest_assessment as (
    select result,
    from v_compliance
    where list_contains($sites, site_code)
    qualify row_number() over (
        partition by site_code, module, engagement order by assessed_on desc
    ) = 1
)

select
    (select period_start from last_month) as last_month,
    t.n_sites_reporting,
    t.n_with_target,
    t.n_meeting_target,
    (select last_campaign from survey) as last_campaign,
    s.n_satisfied,
    s.n_expressed,
    (select count(*) filter (where result = 'conforme') from latest_assessment) as n_conforme,
    (select count(*) filter (where result <> 'non_applicable') from latest_assessment) as n_applicable,
from targets_last_month as t, satisfaction as s
