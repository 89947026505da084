-- scope: aggregate
-- A demonstration site that real data or an account now uses becomes a real site.
update sites
set is_demo = false
where is_demo and (
    site_code in (select site_code from indicator_values where not is_demo)
    or site_code in (select site_code from survey_results where not is_demo)
    or site_code in (select site_code from compliance_assessments where not is_demo)
    or site_code in (select site_code from label_events where not is_demo)
    or site_code in (select site_code from site_module_decisions where not is_demo)
    or site_code in (select site_code from actions where not is_demo)
    or site_code in (select site_code from accounts where site_code is not null)
)
