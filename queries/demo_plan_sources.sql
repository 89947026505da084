-- scope: aggregate
-- The demonstration's figures a demonstration plan d'actions is drawn from (one relation: `part` says which).
select 'indicateur' as part, site_code, indicator_code as code, period_start as day, period_kind as kind, value,
    null::integer as n1, null::integer as n2, null::integer as n3, null::integer as n4, null::integer as n5,
from indicator_values where is_demo
union all
select 'question', site_code, question_code, null, campaign, null, n_tres_satisfait, n_satisfait, n_peu_satisfait,
    n_pas_du_tout_satisfait, n_sans_avis,
from survey_results where is_demo
union all
select 'conformite', site_code, assessment_type, assessed_on, result, null, module, engagement, null, null, null,
from compliance_assessments where is_demo
