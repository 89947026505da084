-- campaign_year is never missing; the analysts' view gains it as its last column (the columns it
-- had keep their places).
alter table survey_results alter column campaign_year set not null;

create or replace view v_survey_results as
select
    site_code,
    campaign,
    question_code,
    n_tres_satisfait,
    n_satisfait,
    n_peu_satisfait,
    n_pas_du_tout_satisfait,
    n_sans_avis,
    n_tres_satisfait + n_satisfait + n_peu_satisfait + n_pas_du_tout_satisfait as n_expressed,
    case
        when n_tres_satisfait + n_satisfait + n_peu_satisfait + n_pas_du_tout_satisfait = 0 then null
        else (n_tres_satisfait + n_satisfait)::double
            / (n_tres_satisfait + n_satisfait + n_peu_satisfait + n_pas_du_tout_satisfait)
    end as satisfaction_rate,
    campaign_year,
from survey_results;
