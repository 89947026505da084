-- Targets that belong to a site and a date (issue 15).
--
-- One row per target: an indicator, a site (NULL = the national default), a value, a
-- direction, whether the bound is strict ("en moins de 15 jours": 15,0 misses) or not
-- ("au plus 10 %": 10,0 meets), the days it is in force (`valid_from` NULL = since
-- always, `valid_to` NULL = until further notice; both inclusive) and where it comes
-- from. Every judgement reads the target in force for its site on the first day of its
-- period (qualepref/targets.py). A référent's proposal is a row `proposed` until an
-- administrator approves (or rejects) it; only `approved` rows are ever in force.
--
-- Seeded with the référentiel's targets as they were, as national defaults in force since
-- always, not strict, with their "indicative" flag: every verdict stays what it was. The
-- satisfaction threshold is a row too (indicator_code 'SATISFACTION'): 75 %, direction
-- hausse, not strict in this table's sense (75,0 % meets the threshold; the alert is
-- "strictement inférieur à 75 %").
create table targets (
    target_id integer primary key,
    indicator_code varchar not null,
    site_code varchar,
    target double not null,
    direction varchar not null check (direction in ('baisse', 'hausse')),
    strict boolean not null default false,
    valid_from date,
    valid_to date,
    source varchar,
    indicative boolean not null default false,
    status varchar not null default 'approved' check (status in ('approved', 'proposed', 'rejected', 'superseded')),
    proposed_by varchar,
    proposed_at timestamp,
    decided_by varchar,
    decided_at timestamp,
    decision_note varchar,
    upload_id integer,
    is_demo boolean not null default false,
    check (valid_to is null or valid_from is null or valid_to >= valid_from)
);

insert into targets (target_id, indicator_code, site_code, target, direction, strict, valid_from, valid_to,
                     source, indicative, status)
select
    row_number() over (order by indicator_code) as target_id,
    indicator_code,
    null,
    target,
    direction,
    false,
    null,
    null,
    'référentiel national',
    target_indicative,
    'approved',
from indicators
where target is not null and direction is not null;

insert into targets (target_id, indicator_code, site_code, target, direction, strict, valid_from, valid_to,
                     source, indicative, status)
select coalesce(max(target_id), 0) + 1, 'SATISFACTION', null, 75, 'hausse', false, null, null,
       'référentiel national', false, 'approved'
from targets;

-- The analysts' view: the targets in force at some time (approved ones; proposals are not targets).
create view v_targets as
select indicator_code, site_code, target, direction, strict, valid_from, valid_to, source,
from targets
where status = 'approved';
