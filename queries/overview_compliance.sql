-- Compliance per module for the scope, on the latest assessment of each
-- site × engagement (on the same day, an external audit outweighs an
-- internal one, which outweighs a mystery visit and a self-assessment).
with latest as (
    select
        site_code,
        module,
        engagement,
        assessed_on,
        result,
    from v_compliance
    where list_contains($sites, site_code)
    qualify row_number() over (
        partition by site_code, module, engagement
        order by assessed_on desc, list_position(['audit_externe', 'audit_interne', 'enquete_mystere', 'auto_evaluation'], assessment_type)
    ) = 1
)

select
    l.module,
    m.module_name,
    count(*) filter (where l.result = 'conforme') as n_conforme,
    count(*) filter (where l.result = 'partiel') as n_partiel,
    count(*) filter (where l.result = 'non_conforme') as n_non_conforme,
    count(*) filter (where l.result <> 'non_applicable') as n_applicable,
    count(distinct l.site_code) as n_sites,
    max(l.assessed_on) as last_assessed_on,
from latest as l
join modules as m using (module)
group by l.module, m.module_name
order by l.module
