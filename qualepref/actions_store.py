"""Write path of the plan d'actions: create, change, import; every change kept (who, when, before, after).

Who may write, decided here whatever the page offered:

- a référent: the actions of its scope (its prefecture and its sub-prefectures);
- a COPIL member: the status, the date done and the comment of the actions of its scope (a COPIL
  is where an action is reported done or dropped), never anything else, never a new action;
- the ministry: nothing (it reads every action);
- the administrator: every action;
- discovery mode: nothing (`DISCOVERY_READ_ONLY`).

Each write runs in one transaction with its line of `action_changes`; an action's id never changes
and is never reused.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import pandas as pd

from qualepref import actions, sql
from qualepref.access import DISCOVERY_READ_ONLY, Principal, Role, ScopeError, SiteScope
from qualepref.actions import ActionError

COPIL_ONLY = ("Un membre du COPIL peut changer le statut, la date de réalisation et le commentaire d'une "
              "action ; le reste est l'affaire du référent qualité.")
READ_ONLY = "Ce profil consulte le plan d'actions sans le modifier."


def utcnow() -> datetime:
    from qualepref import auth

    return auth.utcnow()


def actor_name(actor: Principal | str) -> str:
    return actor if isinstance(actor, str) else actor.user


def may_edit(scope: SiteScope, actor: Principal | str) -> bool:
    """Whether `actor` may change something (all fields, or a COPIL member's part) on this scope."""
    if scope.discovery or (isinstance(actor, Principal) and actor.demo):
        return False
    return scope.can_write or (isinstance(actor, Principal) and actor.role == Role.COPIL)


def may_create(scope: SiteScope, actor: Principal | str) -> bool:
    return scope.can_write and not scope.discovery and not (isinstance(actor, Principal) and actor.demo)


def require(scope: SiteScope, actor: Principal | str, site_code: str, changed: set[str] | None) -> None:
    """Raise `ScopeError` unless `actor` may write these fields (`None`: a new action) of `site_code`."""
    if scope.discovery or (isinstance(actor, Principal) and actor.demo):
        raise ScopeError(DISCOVERY_READ_ONLY)
    if isinstance(actor, str) and not scope.can_write:
        raise ScopeError(READ_ONLY)
    if scope.can_write:
        scope.require([site_code], write=True)
        return
    if actor.role == Role.COPIL:
        scope.require([site_code])
        if changed is None or not changed <= actions.COPIL_FIELDS:
            raise ScopeError(COPIL_ONLY)
        return
    raise ScopeError(READ_ONLY)


def _json(fields: dict | None) -> str | None:
    if fields is None:
        return None
    return json.dumps({k: (v.isoformat() if isinstance(v, date) else v) for k, v in fields.items()},
                      ensure_ascii=False, default=str)


def _stored(cur, action_id: int, scope: SiteScope) -> dict | None:
    rows = cur.execute(sql.query_text("action_row"),
                       sql.bind("action_row", {"action_id": int(action_id)}, scope)).df()
    if rows.empty:
        return None
    row = rows.iloc[0].to_dict()
    return actions.clean({k: (None if pd.isna(v) else v) if not isinstance(v, str) else v
                          for k, v in row.items()})


def _params(fields: dict) -> dict:
    return {name: fields.get(name) for name in actions.FIELDS}


def _log(cur, *, scope, action_id, site_code, actor, change, before, after, now, upload_id, is_demo) -> None:
    sql.execute(cur, "action_change_insert", scope=scope, action_id=int(action_id), site_code=site_code, now=now,
                actor=actor_name(actor), change=change, before=_json(before), after=_json(after),
                upload_id=upload_id, is_demo=is_demo)


def insert(cur, fields: dict, *, scope: SiteScope, actor: Principal | str, today: date, now: datetime,
           upload_id: int | None = None, is_demo: bool = False, change: str = "creation") -> int:
    """Record a new action inside the caller's transaction; returns its id."""
    fields = actions.clean({"status": "a_lancer", "origin_kind": "libre", **fields})
    require(scope, actor, fields.get("site_code"), None)
    actions.check(fields, today=today)
    action_id = int(sql.execute(cur, "next_action_id")[0][0])
    done = sql.execute(cur, "action_insert", scope=scope, action_id=action_id, **_params(fields), now=now,
                       actor=actor_name(actor), upload_id=upload_id, is_demo=is_demo)
    if not done:
        raise ScopeError("Site hors de votre périmètre.")
    sql.execute(cur, "set_meta", key="next_action_id", value=action_id + 1)
    _log(cur, scope=scope, action_id=action_id, site_code=fields["site_code"], actor=actor, change=change,
         before=None, after={k: v for k, v in fields.items() if k in actions.FIELDS and v is not None}, now=now,
         upload_id=upload_id, is_demo=is_demo)
    return action_id


def changed_fields(stored: dict, changes: dict) -> dict:
    """The fields of `changes` whose value differs from the stored one (the site never changes)."""
    proposed = actions.clean(changes)
    return {k: v for k, v in proposed.items() if k in actions.FIELDS and k != "site_code" and stored.get(k) != v}


def apply(cur, action_id: int, changes: dict, *, scope: SiteScope, actor: Principal | str, today: date,
          now: datetime, upload_id: int | None = None, change: str = "modification") -> bool:
    """Change an action inside the caller's transaction; False when nothing differs."""
    stored = _stored(cur, action_id, scope)
    if stored is None:
        raise ActionError(f"Action n° {action_id} introuvable dans votre périmètre.")
    diff = changed_fields(stored, changes)
    if not diff:
        return False
    require(scope, actor, stored["site_code"], set(diff))
    after = {**stored, **diff}
    actions.check(after, today=today)
    sql.execute(cur, "action_update", scope=scope, action_id=int(action_id),
                **{k: v for k, v in _params(after).items() if k != "site_code"}, now=now, upload_id=upload_id)
    _log(cur, scope=scope, action_id=action_id, site_code=stored["site_code"], actor=actor, change=change,
         before={k: stored.get(k) for k in diff}, after=diff, now=now, upload_id=upload_id,
         is_demo=bool(stored.get("is_demo")))
    return True


def create(db, fields: dict, *, scope: SiteScope, actor: Principal | str, today: date | None = None) -> int:
    """Record a new action (one transaction, with its line in the change log); returns its id."""
    today = today or date.today()
    with db.transaction() as cur:
        return insert(cur, fields, scope=scope, actor=actor, today=today, now=utcnow())


def update(db, action_id: int, changes: dict, *, scope: SiteScope, actor: Principal | str,
           today: date | None = None) -> bool:
    """Change an action (one transaction, with its line in the change log); False when nothing differs."""
    today = today or date.today()
    with db.transaction() as cur:
        return apply(cur, action_id, changes, scope=scope, actor=actor, today=today, now=utcnow())


def close(db, action_id: int, done_on, *, scope: SiteScope, actor: Principal | str, comment: str | None = None,
          today: date | None = None) -> bool:
    """Mark an action done on `done_on` (a COPIL member may too)."""
    changes = {"status": "realisee", "done_on": done_on}
    if comment:
        changes["comment"] = comment
    return update(db, action_id, changes, scope=scope, actor=actor, today=today)


def existing_ids(cur, ids) -> set[int]:
    """Which of `ids` exist, whatever their site (nothing else about them is read)."""
    ids = sorted({int(i) for i in ids})
    if not ids:
        return set()
    return {int(r[0]) for r in sql.execute(cur, "action_ids", ids=ids)}


def stored_in_scope(cur, scope: SiteScope) -> pd.DataFrame:
    return cur.execute(sql.query_text("actions"), sql.bind("actions", {}, scope)).df()


def given_fields(row: dict) -> dict:
    """The fields a batch row sets: those its `_given` column names (an import's non-empty cells), else all."""
    names = row.get("_given")
    if isinstance(names, str):
        return {k: row.get(k) for k in names.split(",") if k in actions.FIELDS}
    return {k: row.get(k) for k in actions.FIELDS if k in row}


def write_batch(cur, batch: pd.DataFrame, *, scope: SiteScope, actor: Principal | str, upload_id: int | None,
                today: date, is_demo: bool = False):
    """An import's rows inside its transaction: rows with an id change that action, rows without create one."""
    from qualepref.store import WriteCounts

    now = utcnow()
    replaced = unchanged = 0
    records = batch.to_dict("records")
    created = [given_fields(row) for row in records if row.get("action_id") is None or pd.isna(row.get("action_id"))]
    new = insert_many(cur, created, scope=scope, actor=actor, today=today, now=now, upload_id=upload_id,
                      is_demo=is_demo, change="import" if upload_id is not None else "creation")
    for row in records:
        fields = given_fields(row)
        action_id = row.get("action_id")
        if action_id is None or pd.isna(action_id):
            continue
        elif apply(cur, int(action_id), {k: v for k, v in fields.items() if k != "site_code"}, scope=scope,
                   actor=actor, today=today, now=now, upload_id=upload_id, change="import"):
            replaced += 1
        else:
            unchanged += 1
    return WriteCounts(new=new, replaced=replaced, unchanged=unchanged)


def register_empty(cur) -> None:
    """Register the staging relation of `insert_many`, empty (to prepare its statements in tests)."""
    frame = pd.DataFrame({"action_id": pd.Series(dtype="int64"),
                          **{name: pd.Series(dtype="object") for name in actions.FIELDS}, "after_json": []})
    for name in actions.DATE_FIELDS:
        frame[name] = frame[name].astype("datetime64[s]")
    for name in ("module", "engagement"):
        frame[name] = frame[name].astype("Int64")
    cur.register("staging_actions", frame)


def insert_many(cur, rows: list[dict], *, scope: SiteScope, actor: Principal | str, today: date, now: datetime,
                upload_id: int | None = None, is_demo: bool = False, change: str = "creation") -> int:
    """Record new actions in two statements (a national import, the demonstration's plan): each checked like one
    created by hand, ids given in order, one creation line each in the change log."""
    if not rows:
        return 0
    cleaned = [actions.clean({"status": "a_lancer", "origin_kind": "libre", **row}) for row in rows]
    for fields in cleaned:
        require(scope, actor, fields.get("site_code"), None)
        actions.check(fields, today=today)
    first = int(sql.execute(cur, "next_action_id")[0][0])
    frame = pd.DataFrame([{name: fields.get(name) for name in actions.FIELDS} for fields in cleaned],
                         columns=list(actions.FIELDS))
    frame.insert(0, "action_id", range(first, first + len(frame)))
    for name in actions.DATE_FIELDS:
        frame[name] = pd.to_datetime(frame[name]).astype("datetime64[s]")
    for name in ("module", "engagement"):
        frame[name] = frame[name].astype("Int64")
    frame["after_json"] = [_json({k: v for k, v in fields.items() if k in actions.FIELDS and v is not None})
                           for fields in cleaned]
    cur.register("staging_actions", frame)
    params = {"now": now, "actor": actor_name(actor), "upload_id": upload_id, "is_demo": is_demo}
    sql.execute(cur, "insert_staged_actions", scope=scope, **params)
    sql.execute(cur, "insert_staged_action_changes", scope=scope, change=change, **params)
    cur.unregister("staging_actions")
    sql.execute(cur, "set_meta", key="next_action_id", value=first + len(frame))
    return len(frame)


def preview_batch(cur, batch: pd.DataFrame, *, scope: SiteScope) -> tuple:
    """(new, replaced, unchanged) counts of an import's rows, nothing written."""
    from qualepref.store import WriteCounts

    stored = stored_in_scope(cur, scope).set_index("action_id") if len(batch) else None
    new = replaced = unchanged = 0
    for row in batch.to_dict("records"):
        action_id = row.get("action_id")
        if action_id is None or pd.isna(action_id):
            new += 1
            continue
        current = stored.loc[int(action_id)].to_dict()
        current = actions.clean({k: (None if not isinstance(v, str) and pd.isna(v) else v)
                                 for k, v in current.items()})
        fields = {k: v for k, v in given_fields(row).items() if k != "site_code"}
        if changed_fields(current, fields):
            replaced += 1
        else:
            unchanged += 1
    return WriteCounts(new=new, replaced=replaced, unchanged=unchanged)
