-- Everything the importer matches a file against, in one statement (one round trip):
-- active sites with the spellings a file may use (reference data, not site data: the
-- importer must recognise sites outside the caller's scope to say so), indicators with
-- their unit and engagement, questions, synonyms, modules and engagements. Each part keeps the order
-- of its référentiel page (module, engagement, code).
select kind, a, b, c,
from (
    select 'site' as kind, site_code as a, site_name as b, prefecture_city as c, 0 as s1, 0 as s2,
    from sites
    where active
    union all
    select 'indicator', indicator_code, indicator_label, unit, module, 0,
    from indicators
    union all
    select 'indicator_engagement', indicator_code, cast(engagement as varchar), null, module, engagement,
    from indicators
    where engagement is not null
    union all
    select 'question', question_code, question_label, null, module, engagement,
    from questions
    union all
    select 'synonym_' || item_kind, item_code, synonym, null, 0, 0,
    from synonyms
    union all
    select 'module', cast(module as varchar), null, null, module, 0,
    from modules
    union all
    select 'engagement', cast(module as varchar), cast(engagement as varchar), null, module, engagement,
    from engagements
)
order by kind, s1, s2 nulls last, a, b
