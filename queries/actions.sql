-- The plan d'actions of the sites in scope, with the names a list shows.
select
    a.action_id,
    a.site_code,
    s.site_name,
    a.module,
    m.module_name,
    a.engagement,
    a.origin_kind,
    a.origin_key,
    a.origin_label,
    a.title,
    a.description,
    a.owner,
    a.working_group,
    a.decided_on,
    a.due_on,
    a.status,
    a.done_on,
    a.comment,
    a.created_at,
    a.created_by,
    a.updated_at,
    a.is_demo,
from actions as a
join sites as s using (site_code)
left join modules as m on m.module = a.module
where list_contains($sites, a.site_code)
order by a.site_code, a.action_id
