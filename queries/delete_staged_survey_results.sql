delete from survey_results as t
using staging_survey_results as s
where t.site_code = s.site_code
    and t.campaign = s.campaign
    and t.question_code = s.question_code
    and list_contains($sites, t.site_code)
