-- The plan d'actions: each action a prefecture decides, what triggered it (its origin) and every
-- change made to it since (who, when, before, after).
--
-- `origin_key` is stable across re-imports of the figures: it is built from what identifies the
-- origin, never from a row id of a fact table (facts are deleted and inserted again by imports):
--   indicateur  `<indicator code>|<site>|<period start YYYY-MM-DD>`
--   question    `<question code>|<campaign>`
--   conformite  `<module>|<engagement>|<assessment date YYYY-MM-DD>`
--   constat     `<finding id>` (findings keep their id across re-imports)
--   libre       NULL (decided without a figure: comité local des usagers, COPIL…)
create table actions (
    action_id integer primary key,
    site_code varchar not null,
    module integer,
    engagement integer,
    origin_kind varchar not null default 'libre' check (
        origin_kind in ('indicateur', 'question', 'conformite', 'constat', 'libre')
    ),
    origin_key varchar,
    -- The origin as the référent read it when creating the action ("Question « Temps d'attente » 68 %
    -- — campagne 2025"): kept as text, the figure itself may be corrected later.
    origin_label varchar,
    title varchar not null,
    description varchar,
    owner varchar,
    working_group varchar,
    decided_on date,
    due_on date,
    status varchar not null default 'a_lancer' check (status in ('a_lancer', 'en_cours', 'realisee', 'abandonnee')),
    done_on date,
    comment varchar,
    created_at timestamp not null,
    created_by varchar not null,
    updated_at timestamp not null,
    upload_id integer,
    is_demo boolean not null default false,
    check ((origin_kind = 'libre') = (origin_key is null)),
    check (done_on is null or status in ('realisee', 'abandonnee'))
);

-- Every change of an action: one row per change, the fields before and after (JSON).
create table action_changes (
    action_id integer not null,
    site_code varchar not null,
    changed_at timestamp not null,
    actor varchar not null,
    change varchar not null check (change in ('creation', 'modification', 'import')),
    before json,
    after json,
    upload_id integer,
    is_demo boolean not null default false
);

insert or ignore into meta (key, value) values ('next_action_id', 1);

create view v_actions as
select
    action_id, site_code, module, engagement, origin_kind, origin_key, title, owner, decided_on, due_on,
    status, done_on,
from actions;
