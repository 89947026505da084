-- Sites of every kind, the modules each retained (périmètre) and the labelling cycle.
--
-- `sites` is rebuilt rather than altered: DuckDB cannot add CHECK constraints to an
-- existing table, and the kinds must be enforced by the database. Every existing row
-- is kept as a prefecture (all sites were departmental prefectures until now); its
-- article (INSEE TNCC) is filled by the next migration from data/geo.
create table sites_new (
    site_code varchar primary key,
    site_name varchar not null,
    site_kind varchar not null default 'prefecture' check (
        site_kind in ('prefecture', 'sous_prefecture', 'haut_commissariat', 'prefecture_police', 'autre')
    ),
    -- A sub-prefecture belongs to its prefecture; its prefecture's référent acts for it too.
    parent_code varchar,
    -- INSEE "type de nom en clair" (0–8): the article and the "de" form of the name.
    tncc integer not null default 0 check (tncc between 0 and 8),
    region_code varchar not null,
    prefecture_city varchar not null,
    zone varchar not null,
    lon double,
    lat double,
    active boolean not null default true,
    -- Sites created by the demonstration loader (removed with it when nothing real uses them).
    is_demo boolean not null default false,
    check ((site_kind = 'sous_prefecture') = (parent_code is not null)),
    check (parent_code is null or parent_code <> site_code)
);

insert into sites_new (site_code, site_name, region_code, prefecture_city, zone, lon, lat, active)
select site_code, site_name, region_code, prefecture_city, zone, lon, lat, active
from sites;

drop table sites;

alter table sites_new rename to sites;

-- Périmètre: each decision to retain (or stop) a module, dated, with what decided it
-- ("COPIL du 01/07/2021"). History is the list of decisions; `v_site_modules` turns it
-- into periods.
create table site_module_decisions (
    site_code varchar not null,
    module integer not null,
    decided_on date not null,
    retained boolean not null,
    decision varchar,
    upload_id integer,
    is_demo boolean not null default false,
    primary key (site_code, module, decided_on)
);

-- The labelling cycle of each site: one row per stage. A date in the future is a
-- planned stage (an audit scheduled). `event_id` is stable across re-imports (a
-- re-imported stage with the same site, kind and date keeps its id), so findings and,
-- later, actions can point at it. Ids come from `meta` counters, never reused.
create table label_events (
    event_id integer primary key,
    site_code varchar not null,
    event_kind varchar not null check (
        event_kind in ('engagement', 'auto_evaluation', 'enquete_mystere', 'audit_interne', 'audit_externe',
                       'decision', 'audit_suivi', 'renouvellement')
    ),
    event_date date not null,
    organisme varchar,
    report_date date,
    result varchar check (result in ('favorable', 'defavorable')),
    referentiel_version varchar,
    valid_until date,
    next_due date,
    comment varchar,
    upload_id integer,
    is_demo boolean not null default false,
    unique (site_code, event_kind, event_date)
);

-- What an audit found: points forts, non-conformités, pistes d'amélioration. The id is
-- stable (an action of the plan d'actions will refer to it); `closed_on` records when a
-- non-conformity was lifted.
create table audit_findings (
    finding_id integer primary key,
    event_id integer not null,
    site_code varchar not null,
    finding_kind varchar not null check (finding_kind in ('point_fort', 'non_conformite', 'piste_amelioration')),
    module integer,
    engagement integer,
    finding_text varchar not null,
    closed_on date,
    upload_id integer,
    is_demo boolean not null default false
);

insert or ignore into meta (key, value) values ('next_label_event_id', 1), ('next_audit_finding_id', 1);

create view v_sites as
select site_code, site_name, site_kind, parent_code, region_code,
from sites
where active;

create view v_site_modules as
with ordered as (
    select
        site_code,
        module,
        decided_on,
        retained,
        decision,
        lag(retained) over (partition by site_code, module order by decided_on) as retained_before,
    from site_module_decisions
),

starts as (
    select site_code, module, decided_on, decision,
    from ordered
    where retained and not coalesce(retained_before, false)
),

stops as (
    select site_code, module, decided_on,
    from ordered
    where not retained and coalesce(retained_before, false)
)

select
    s.site_code,
    s.module,
    s.decided_on as since,
    min(e.decided_on) as until,
    s.decision,
from starts as s
left join stops as e on e.site_code = s.site_code and e.module = s.module and e.decided_on > s.decided_on
group by s.site_code, s.module, s.decided_on, s.decision;

create view v_label_events as
select site_code, event_date, event_kind, organisme, result, next_due,
from label_events;
