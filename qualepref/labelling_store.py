"""Write path of the périmètre, the labelling stages and the audit findings (inside a transaction).

Unlike the figures, these rows are updated in place rather than deleted and inserted again:
a stage and a finding keep their id across re-imports and corrections (findings point at
their audit, and actions of the plan d'actions will point at findings). Nothing is ever
deleted by an import: an empty cell leaves a stored value as it is.
"""

from __future__ import annotations

from qualepref import sql
from qualepref.access import Principal, SiteScope, writer_name

# Staging frame of each batch kind: column → dtype (what `queries/*staged_<kind>*.sql` read).
STAGING_COLUMNS = {
    "site_modules": {
        "site_code": "string",
        "module": "int64",
        "decided_on": "datetime64[s]",
        "retained": "bool",
        "decision": "string",
    },
    "label_events": {
        "site_code": "string",
        "event_kind": "string",
        "event_date": "datetime64[s]",
        "organisme": "string",
        "report_date": "datetime64[s]",
        "result": "string",
        "referentiel_version": "string",
        "valid_until": "datetime64[s]",
        "next_due": "datetime64[s]",
        "comment": "string",
    },
    "findings": {
        "site_code": "string",
        "audit_kind": "string",
        "audit_date": "datetime64[s]",
        "finding_kind": "string",
        "module": "Int64",
        "engagement": "Int64",
        "finding_text": "string",
        "closed_on": "datetime64[s]",
    },
}
BATCH_KINDS = tuple(STAGING_COLUMNS)
# Batches are written in this order: findings need their audit stored first.
WRITE_ORDER = ("site_modules", "label_events", "findings")
_AFTER_INSERT = {"label_events": "bump_label_event_ids", "findings": "bump_audit_finding_ids"}


def staged(kind: str, frame):
    """`frame` with exactly the staging columns, in order and typed."""
    import pandas as pd

    columns = STAGING_COLUMNS[kind]
    missing = set(columns) - set(frame.columns)
    if missing:
        raise sql.ProgrammingError(f"staging {kind} lacks columns {sorted(missing)}")
    out = pd.DataFrame({name: frame[name] for name in columns}).reset_index(drop=True)
    for name, dtype in columns.items():
        if dtype.startswith("datetime"):
            out[name] = pd.to_datetime(out[name]).astype(dtype)
        elif dtype == "string":
            out[name] = out[name].astype("object").where(out[name].notna(), None)
        else:
            out[name] = out[name].astype(dtype)
    return out


def register_empty(cur) -> None:
    """Register every staging relation, empty (to prepare the statements in tests)."""
    import pandas as pd

    for kind, columns in STAGING_COLUMNS.items():
        cur.register(f"staging_{kind}", staged(kind, pd.DataFrame({name: [] for name in columns})))


def _stage(cur, kind: str, frame, scope: SiteScope):
    batch = staged(kind, frame)
    scope.require([c for c in batch["site_code"].unique() if c is not None], write=True)
    cur.register(f"staging_{kind}", batch)


def preview(cur, kind: str, frame, scope: SiteScope, *, is_demo: bool = False):
    """(new, replaced, unchanged) rows writing `frame` would give, as `store.WriteCounts`."""
    from qualepref.store import WriteCounts

    _stage(cur, kind, frame, scope)
    try:
        row = sql.execute(cur, f"count_staged_{kind}", scope=scope, is_demo=is_demo)[0]
    finally:
        cur.unregister(f"staging_{kind}")
    return WriteCounts(new=row[0], replaced=row[1], unchanged=row[2], deleted=row[3])


def write(cur, kind: str, frame, *, scope: SiteScope, upload_id: int | None, is_demo: bool = False):
    """Update the stored rows with the same key, insert the others; returns the counts."""
    from qualepref.store import WriteCounts

    _stage(cur, kind, frame, scope)
    row = sql.execute(cur, f"count_staged_{kind}", scope=scope, is_demo=is_demo)[0]
    counts = WriteCounts(new=row[0], replaced=row[1], unchanged=row[2], deleted=row[3])
    if counts.replaced:
        sql.execute(cur, f"update_staged_{kind}", scope=scope, upload_id=upload_id, is_demo=is_demo)
    if counts.new:
        sql.execute(cur, f"insert_staged_{kind}", scope=scope, upload_id=upload_id, is_demo=is_demo)
        if kind in _AFTER_INSERT:
            sql.execute(cur, _AFTER_INSERT[kind])
    cur.unregister(f"staging_{kind}")
    return counts


# -- single entries (forms of *Notre démarche*, administrator's corrections) -----------------------
ENTITIES = {"site_modules": "perimetre", "label_events": "etape", "findings": "constat"}


def save(db, kind: str, row: dict, *, scope: SiteScope, actor: Principal | str):
    """Record one périmètre decision, stage or finding (created or updated in place), audited."""
    actor = writer_name(actor)
    import pandas as pd

    from qualepref import auth

    with db.transaction() as cur:
        counts = write(cur, kind, pd.DataFrame([row]), scope=scope, upload_id=None)
        if counts.new or counts.replaced:
            key = " ".join(str(row.get(k)) for k in ("site_code", "module", "event_kind", "audit_kind", "event_date",
                                                       "decided_on", "audit_date", "finding_kind") if row.get(k))
            auth.record_audit(cur, actor=actor, action="modification" if counts.replaced else "création",
                              entity=ENTITIES[kind], key=key[:200], before=None, after=row)
    return counts


def close_finding(db, finding_id: int, closed_on, *, scope: SiteScope, actor: Principal | str) -> None:
    """Record that a non-conformity was lifted (`closed_on`), audited."""
    actor = writer_name(actor)
    from qualepref import auth

    scope.require([], write=True)
    with db.transaction() as cur:
        rows = sql.execute(cur, "close_finding", scope=scope, finding_id=int(finding_id), closed_on=closed_on)
        if not rows:
            raise ValueError("Constat introuvable dans votre périmètre.")
        site_code = rows[0][0]
        auth.record_audit(cur, actor=actor, action="levée", entity="constat", key=f"{site_code} {finding_id}",
                          before=None, after={"closed_on": str(closed_on)})
