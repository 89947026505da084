-- Stages of the sites in scope that findings may be attached to (site, kind, date).
select site_code, event_kind, event_date,
from label_events
where list_contains($sites, site_code)
    and event_kind in ('enquete_mystere', 'audit_interne', 'audit_externe', 'audit_suivi', 'renouvellement')
