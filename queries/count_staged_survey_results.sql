with matched as (
    select
        t.site_code is not null as exists_before,
        t.site_code is not null and (
            t.n_tres_satisfait, t.n_satisfait, t.n_peu_satisfait, t.n_pas_du_tout_satisfait, t.n_sans_avis
        ) is distinct from (
            s.n_tres_satisfait, s.n_satisfait, s.n_peu_satisfait, s.n_pas_du_tout_satisfait, s.n_sans_avis
        ) as differs,
    from staging_survey_results as s
    left join survey_results as t
        on t.site_code = s.site_code
        and t.campaign = s.campaign
        and t.question_code = s.question_code
)
select
    count(*) filter (where not exists_before) as n_new,
    count(*) filter (where differs) as n_replaced,
    count(*) filter (where exists_before and not differs) as n_unchanged,
    0 as n_deleted,
from matched
