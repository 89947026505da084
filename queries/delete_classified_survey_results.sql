-- The stored survey results a classified batch replaces.
delete from survey_results as t
using classified_survey_results as c
where t.site_code = c.site_code
    and t.campaign = c.campaign
    and t.question_code = c.question_code
    and c.status = 'replaced'
    and list_contains($sites, t.site_code)
