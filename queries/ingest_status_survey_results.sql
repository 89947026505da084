-- What writing the classified batch would do (import preview), per site × question: the first
-- and last campaign, the rows, and the rows per status.
select
    site_code,
    question_code as item,
    min(campaign) as first_campaign,
    max(campaign) as last_campaign,
    count(*) as n_rows,
    count(*) filter (where status = 'new') as n_new,
    count(*) filter (where status = 'replaced') as n_replaced,
    count(*) filter (where status = 'unchanged') as n_unchanged,
    0 as n_deleted,
from classified_survey_results
where list_contains($sites, site_code)
group by site_code, question_code
order by site_code, item
