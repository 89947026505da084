-- A non-conformity lifted on $closed_on (only inside the caller's scope).
update audit_findings
set closed_on = $closed_on
where finding_id = $finding_id and list_contains($sites, site_code)
returning site_code
