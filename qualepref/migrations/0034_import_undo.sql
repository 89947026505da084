-- What each import changed, cell by cell, so that it can be undone (Historique des imports): for
-- every cell an import wrote or deleted, the row it found there before (NULL image: the cell was
-- empty). The rows of one cell, in upload order, chain its history: undoing an import removes its
-- link (the cell takes back its former row if no later import touched it; else the later import
-- now replaces that former row). Demonstration loads keep no journal; imports made before this
-- migration cannot be undone (their former rows were not kept).
create table indicator_value_changes (
    upload_id integer not null,
    site_code varchar not null,
    indicator_code varchar not null,
    period_start date not null,
    period_kind varchar not null,
    old_value double,
    old_comment varchar,
    old_upload_id integer,
    old_is_demo boolean
);

create table survey_result_changes (
    upload_id integer not null,
    site_code varchar not null,
    campaign varchar not null,
    campaign_year integer not null,
    question_code varchar not null,
    old_n_tres_satisfait integer,
    old_n_satisfait integer,
    old_n_peu_satisfait integer,
    old_n_pas_du_tout_satisfait integer,
    old_n_sans_avis integer,
    old_upload_id integer,
    old_is_demo boolean
);

create table compliance_changes (
    upload_id integer not null,
    site_code varchar not null,
    module integer not null,
    engagement integer not null,
    assessed_on date not null,
    assessment_type varchar not null,
    old_result varchar,
    old_upload_id integer,
    old_is_demo boolean
);

alter table uploads add column journaled boolean not null default false;
alter table uploads add column undone_at timestamp;
alter table uploads add column undone_by varchar;
