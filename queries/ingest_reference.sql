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
    -- An indicator measured with its counts (`counted`) is also read as its two counts, each a
    -- pseudo-item of its own (CODE#traites, CODE#dans_le_delai) that the importer pairs again.
    select 'indicator', indicator_code || '#traites', indicator_label || ' – traités', 'nombre', module, 1,
    from indicators
    where counted
    union all
    select 'indicator', indicator_code || '#dans_le_delai', indicator_label || ' – dans le délai', 'nombre',
        module, 2,
    from indicators
    where counted
    union all
    select 'synonym_indicateur', indicator_code || '#traites', indicator_code || ' traités', null, 0, 0,
    from indicators
    where counted
    union all
    select 'synonym_indicateur', indicator_code || '#dans_le_delai', indicator_code || ' dans le délai', null, 0, 0,
    from indicators
    where counted
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
