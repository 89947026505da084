-- What writing the staged batch would do (import preview), per site × question: the first
-- and last campaign, the rows, and the rows per status (new, replacing different counts,
-- unchanged).
with stored as (
    select *,
    from survey_results
    where list_contains($sites, site_code)
),
rows as (
    select
        s.site_code,
        s.question_code as item,
        s.campaign,
        case
            when t.site_code is null then 'nouvelle'
            when (
                t.n_tres_satisfait, t.n_satisfait, t.n_peu_satisfait, t.n_pas_du_tout_satisfait, t.n_sans_avis
            ) is distinct from (
                s.n_tres_satisfait, s.n_satisfait, s.n_peu_satisfait, s.n_pas_du_tout_satisfait, s.n_sans_avis
            ) then 'remplacée'
            else 'inchangée'
        end as status,
    from staging_survey_results as s
    left join stored as t
        on t.site_code = s.site_code
        and t.campaign = s.campaign
        and t.question_code = s.question_code
)
select
    site_code,
    item,
    min(campaign) as first_campaign,
    max(campaign) as last_campaign,
    count(*) as n_rows,
    count(*) filter (where status = 'nouvelle') as n_new,
    count(*) filter (where status = 'remplacée') as n_replaced,
    count(*) filter (where status = 'inchangée') as n_unchanged,
    0 as n_deleted,
from rows
group by site_code, item
order by site_code, item
