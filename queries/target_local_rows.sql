-- The sites' own targets, every status (proposed, approved, rejected, superseded), for the caller's sites:
-- the history a référent and an administrator read, proposals waiting first.
select
    t.target_id,
    t.indicator_code,
    i.indicator_label,
    i.unit,
    t.site_code,
    s.site_name,
    t.target,
    t.direction,
    t.strict,
    t.valid_from,
    t.valid_to,
    t.source,
    t.status,
    t.proposed_by,
    t.proposed_at,
    t.decided_by,
    t.decided_at,
    t.decision_note,
from targets as t
left join indicators as i using (indicator_code)
join sites as s using (site_code)
where t.site_code is not null and list_contains($sites, t.site_code)
order by t.status = 'proposed' desc, t.site_code, t.indicator_code, t.valid_from desc nulls last, t.target_id desc
