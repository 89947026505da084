-- scope: aggregate
-- National distribution of satisfaction in campaign $campaign (one question or
-- all when $question is ''), among sites with at least $min_sample expressed
-- answers, and for each site of the caller's scope its rate, n and rank.
-- Returns no site code (see national_indicator_summary.sql).
with answers as (
    select
        v.site_code,
        sum(v.n_tres_satisfait + v.n_satisfait) as n_satisfied,
        sum(v.n_expressed) as n_expressed,
    from v_survey_results as v
    join sites as s using (site_code)
    where s.active and s.site_kind = $compared_kind and v.campaign = $campaign and ($question = '' or v.question_code = $question)
    group by v.site_code
),

ranked as (
    select
        site_code,
        n_satisfied,
        n_expressed,
        n_satisfied::double / n_expressed as rate,
        rank() over (order by n_satisfied::double / n_expressed desc) as site_rank,
    from answers
    where n_expressed >= $min_sample
),

national as (
    select
        count(*) as n_sites,
        quantile_cont(rate, 0.1) as p10,
        quantile_cont(rate, 0.25) as q1,
        quantile_cont(rate, 0.5) as median,
        quantile_cont(rate, 0.75) as q3,
        quantile_cont(rate, 0.9) as p90,
    from ranked
),

own as (
    select
        a.n_satisfied as own_satisfied,
        a.n_expressed as own_expressed,
        r.site_rank as own_rank,
    from answers as a
    left join ranked as r using (site_code)
    where list_contains($sites, a.site_code)
)

select n.*, o.own_satisfied, o.own_expressed, o.own_rank,
from national as n
left join own as o on true
