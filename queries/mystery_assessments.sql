-- Days on which a mystery visit assessed the sites in scope (compliance assessments).
select distinct site_code, assessed_on,
from v_compliance
where list_contains($sites, site_code) and assessment_type = 'enquete_mystere'
order by site_code, assessed_on
