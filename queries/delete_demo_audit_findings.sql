delete from audit_findings where is_demo
