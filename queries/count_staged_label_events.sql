-- What writing the staged stages would do: a stage is the same when its site, kind and date are.
with matched as (
    select
        t.event_id is not null as exists_before,
        t.event_id is not null and (
            t.organisme is distinct from s.organisme
            or t.report_date is distinct from s.report_date
            or t.result is distinct from s.result
            or t.referentiel_version is distinct from s.referentiel_version
            or t.valid_until is distinct from s.valid_until
            or t.next_due is distinct from s.next_due
            or t.comment is distinct from s.comment
            or t.is_demo <> $is_demo
        ) as differs,
    from staging_label_events as s
    left join label_events as t
        on t.site_code = s.site_code and t.event_kind = s.event_kind and t.event_date = s.event_date
    where list_contains($sites, s.site_code)
)
select
    count(*) filter (where not exists_before) as n_new,
    count(*) filter (where differs) as n_replaced,
    count(*) filter (where exists_before and not differs) as n_unchanged,
    0 as n_deleted,
from matched
