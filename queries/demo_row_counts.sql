-- scope: aggregate
select
    (select count(*) from indicator_values where is_demo) as n_demo_indicator_values,
    (select count(*) from survey_results where is_demo) as n_demo_survey_results,
    (select count(*) from compliance_assessments where is_demo) as n_demo_compliance,
    (select count(*) from indicator_values where not is_demo)
        + (select count(*) from survey_results where not is_demo)
        + (select count(*) from compliance_assessments where not is_demo) as n_real_rows,
