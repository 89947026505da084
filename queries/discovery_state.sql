-- scope: aggregate
-- Discovery mode needs demonstration data and nothing else: one real row, account or change-log
-- line means the installation is in use, and its data are not for anonymous visitors.
select
    (select count(*) from indicator_values where is_demo)
        + (select count(*) from survey_results where is_demo)
        + (select count(*) from compliance_assessments where is_demo) as n_demo_rows,
    (select count(*) from indicator_values where not is_demo)
        + (select count(*) from survey_results where not is_demo)
        + (select count(*) from compliance_assessments where not is_demo)
        + (select count(*) from uploads where not is_demo)
        + (select count(*) from actions where not is_demo)
        + (select count(*) from accounts)
        + (select count(*) from audit_log) as n_other_rows,
