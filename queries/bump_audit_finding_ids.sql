-- scope: aggregate
-- The id counter stays above every id ever given (a deleted finding's id is never reused).
update meta
set value = greatest(value, (select coalesce(max(finding_id), 0) + 1 from audit_findings))
where key = 'next_audit_finding_id'
