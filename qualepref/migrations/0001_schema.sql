-- Initial schema. Fact tables carry `is_demo` so demonstration rows can be
-- removed without touching real uploads, and `upload_id` for traceability.
-- No primary keys on fact tables: uniqueness is enforced by the write path
-- (delete-then-insert inside one transaction), which keeps bulk loads fast.

create table meta (
    key varchar primary key,
    value bigint not null
);
insert into meta values ('data_version', 0);

create table regions (
    region_code varchar primary key,
    region_name varchar not null
);

create table sites (
    site_code varchar primary key,
    site_name varchar not null,
    region_code varchar not null,
    prefecture_city varchar not null,
    zone varchar not null,
    lon double,
    lat double,
    active boolean not null default true
);

create table modules (
    module integer primary key,
    module_name varchar not null,
    mandatory boolean not null,
    themes varchar
);

create table engagements (
    module integer not null,
    engagement integer not null,
    theme varchar,
    engagement_label varchar not null,
    primary key (module, engagement)
);

create table indicators (
    indicator_code varchar primary key,
    indicator_label varchar not null,
    module integer not null,
    engagement integer,
    unit varchar not null,
    direction varchar check (direction in ('baisse', 'hausse')),
    target double,
    frequency varchar not null,
    target_source varchar
);

create table questions (
    question_code varchar primary key,
    question_label varchar not null,
    module integer not null,
    engagement integer
);

create table synonyms (
    item_kind varchar not null check (item_kind in ('indicateur', 'question')),
    item_code varchar not null,
    synonym varchar not null
);

create table uploads (
    upload_id integer primary key,
    uploaded_at timestamp not null,
    uploaded_by varchar not null,
    file_name varchar not null,
    sha256 varchar not null,
    kind varchar not null,
    site_codes varchar[] not null,
    period_min varchar,
    period_max varchar,
    rows_written integer not null,
    rows_replaced integer not null,
    rows_deleted integer not null default 0,
    is_demo boolean not null default false
);

create table indicator_values (
    site_code varchar not null,
    indicator_code varchar not null,
    period_start date not null,
    period_kind varchar not null check (period_kind in ('month', 'quarter', 'year')),
    value double not null,
    comment varchar,
    upload_id integer,
    is_demo boolean not null default false
);

create table survey_results (
    site_code varchar not null,
    campaign varchar not null,
    question_code varchar not null,
    n_tres_satisfait integer not null check (n_tres_satisfait >= 0),
    n_satisfait integer not null check (n_satisfait >= 0),
    n_peu_satisfait integer not null check (n_peu_satisfait >= 0),
    n_pas_du_tout_satisfait integer not null check (n_pas_du_tout_satisfait >= 0),
    n_sans_avis integer not null check (n_sans_avis >= 0),
    upload_id integer,
    is_demo boolean not null default false
);

create table compliance_assessments (
    site_code varchar not null,
    module integer not null,
    engagement integer not null,
    assessed_on date not null,
    assessment_type varchar not null check (
        assessment_type in ('auto_evaluation', 'audit_interne', 'audit_externe', 'enquete_mystere')
    ),
    result varchar not null check (
        result in ('conforme', 'partiel', 'non_conforme', 'non_applicable')
    ),
    upload_id integer,
    is_demo boolean not null default false
);

create view v_indicator_values as
select site_code, indicator_code, period_start, period_kind, value
from indicator_values;

create view v_survey_results as
select
    site_code,
    campaign,
    question_code,
    n_tres_satisfait,
    n_satisfait,
    n_peu_satisfait,
    n_pas_du_tout_satisfait,
    n_sans_avis,
    n_tres_satisfait + n_satisfait + n_peu_satisfait + n_pas_du_tout_satisfait as n_expressed,
    case
        when n_tres_satisfait + n_satisfait + n_peu_satisfait + n_pas_du_tout_satisfait = 0 then null
        else (n_tres_satisfait + n_satisfait)::double
            / (n_tres_satisfait + n_satisfait + n_peu_satisfait + n_pas_du_tout_satisfait)
    end as satisfaction_rate
from survey_results;

create view v_compliance as
select site_code, module, engagement, assessed_on, assessment_type, result
from compliance_assessments;
