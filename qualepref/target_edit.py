"""Changes to targets: validation (pure) and audited writes, one transaction each.

Who does what (issue 15):
- the **administrator** sets national targets (and may set a site's target directly);
- the **référent** proposes his prefecture's own target ("notre cible", e.g. the délai
  announced under engagement 17, a local satisfaction rule); it is not in force until
  an **administrator** approves it (or rejects it, with a reason). The ministry reads the
  proposals but does not decide: the administrator already owns the référentiel.

A target is set *from a date*: the row of the same indicator and site in force that day
ends the day before, rows that would start on or after it are superseded (kept for the
history, never in force again). The periods before the date keep their target, so their
verdicts never change. Every write leaves one line in the change log (who, when, before,
after), like the rest of the référentiel.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from qualepref import sql, targets
from qualepref.access import Principal, SiteScope, administrator_name, writer_name
from qualepref.auth import record_audit, utcnow
from qualepref.formulas import label_problem

DIRECTIONS = ("baisse", "hausse")


class TargetError(ValueError):
    """A change refused by validation; the message is meant for the user (French)."""


@dataclass(frozen=True)
class TargetChange:
    indicator_code: str
    site_code: str | None  # None: the national default
    target: float
    direction: str
    strict: bool
    valid_from: date | None  # None: since always
    valid_to: date | None = None
    source: str | None = None
    indicative: bool = False


def validate(change: TargetChange, *, indicator_codes, unit: str | None = None, site_codes=None) -> list[str]:
    """Problems with a target (French messages); empty when valid."""
    problems = []
    known = set(indicator_codes) | {targets.SATISFACTION}
    if change.indicator_code not in known:
        problems.append(f"Indicateur inconnu : {change.indicator_code}.")
    if change.site_code is not None and site_codes is not None and change.site_code not in set(site_codes):
        problems.append(f"Site inconnu : {change.site_code}.")
    if change.target is None or not isinstance(change.target, int | float) or not math.isfinite(change.target):
        problems.append("La cible doit être un nombre.")
    elif change.target < 0:
        problems.append("La cible ne peut pas être négative.")
    elif (unit == "%" or change.indicator_code == targets.SATISFACTION) and change.target > 100:
        problems.append("Une cible en pourcentage est comprise entre 0 et 100 (en points).")
    if change.direction not in DIRECTIONS:
        problems.append("Le sens doit être « baisse » ou « hausse ».")
    if change.valid_from and change.valid_to and change.valid_to < change.valid_from:
        problems.append("La fin de validité précède son début.")
    if not (change.source or "").strip():
        problems.append("Indiquez la source de la cible (ex. « décision du COPIL du 19/10/2021 »).")
    elif problem := label_problem(change.source, "La source"):
        problems.append(problem)
    return problems


def _reference(cur) -> tuple[dict[str, dict], set[str]]:
    indicators = {row["indicator_code"]: row for row in
                  cur.execute(sql.query_text("referentiel_indicators")).df().to_dict("records")}
    sites = {row[0] for row in sql.execute(cur, "site_codes")}
    return indicators, sites


def make_room(cur, change: TargetChange) -> None:
    """Before `change` comes into force: the row of its indicator and site in force on its first day ends the
    day before; rows starting on or after it are superseded (kept in the history, never in force)."""
    day = change.valid_from or date(1, 1, 1)
    sql.execute(cur, "target_supersede_from", indicator_code=change.indicator_code, site_code=change.site_code,
                day=day)
    if change.valid_from is not None:
        sql.execute(cur, "target_close_before", indicator_code=change.indicator_code, site_code=change.site_code,
                    day=day, last_day=day - timedelta(days=1))


def after_change(cur, change: TargetChange) -> None:
    """The référentiel's own `target` column follows the national target in force today (pages that show the
    référentiel read it; every judgement reads `targets`)."""
    if change.site_code is None and change.indicator_code != targets.SATISFACTION:
        sql.execute(cur, "target_sync_referentiel", indicator_code=change.indicator_code, today=utcnow().date())


def write_approved(cur, change: TargetChange, *, status: str = "approved", actor: str, upload_id=None) -> int:
    """Insert `change` (in force from its date when approved). Returns the new target id."""
    if status == "approved":
        make_room(cur, change)
    now = utcnow()
    row = sql.execute(cur, "target_insert", **asdict(change), status=status, proposed_by=actor, proposed_at=now,
                      decided_by=actor if status == "approved" else None,
                      decided_at=now if status == "approved" else None, upload_id=upload_id)
    if status == "approved":
        after_change(cur, change)
    return int(row[0][0])


def _clean(change: TargetChange) -> TargetChange:
    source = " ".join((change.source or "").split()) or None
    return TargetChange(**{**asdict(change), "source": source, "target": float(change.target)
                           if isinstance(change.target, int | float) else change.target})


def set_target(db, change: TargetChange, *, actor: Principal | str) -> int:
    """An administrator sets a target (national, or a site's own) from `valid_from`. Audited."""
    actor = administrator_name(actor)  # a discovery visitor is refused before anything is read
    change = _clean(change)
    with db.transaction() as cur:
        indicators, sites = _reference(cur)
        unit = indicators.get(change.indicator_code, {}).get("unit")
        problems = validate(change, indicator_codes=indicators, unit=unit, site_codes=sites)
        if problems:
            raise TargetError(" ".join(problems))
        target_id = write_approved(cur, change, actor=actor)
        record_audit(cur, actor=actor, action="cible", entity="cible",
                     key=f"{change.indicator_code} {change.site_code or 'national'}", before=None,
                     after=asdict(change), now=utcnow())
    return target_id


def propose(db, change: TargetChange, *, scope: SiteScope, actor: Principal | str) -> int:
    """A référent proposes his site's own target; it waits for an administrator's approval. Audited."""
    name = writer_name(actor)  # a discovery visitor or a reading role is refused here
    change = _clean(change)
    if change.site_code is None:
        raise TargetError("Une cible nationale est fixée par l'administrateur : proposez la cible de votre "
                          "préfecture.")
    scope.require([change.site_code], write=True)
    with db.transaction() as cur:
        indicators, sites = _reference(cur)
        unit = indicators.get(change.indicator_code, {}).get("unit")
        problems = validate(change, indicator_codes=indicators, unit=unit, site_codes=sites)
        if problems:
            raise TargetError(" ".join(problems))
        target_id = write_approved(cur, change, status="proposed", actor=name)
        record_audit(cur, actor=name, action="proposition de cible", entity="cible",
                     key=f"{change.indicator_code} {change.site_code}", before=None, after=asdict(change),
                     now=utcnow())
    return target_id


def decide(db, target_id: int, *, approve: bool, actor: Principal | str, note: str | None = None) -> None:
    """An administrator approves (the target comes into force from its date) or rejects a proposal. Audited."""
    actor = administrator_name(actor)
    with db.transaction() as cur:
        found = sql.run(cur, "target_by_id", scope=_everything(cur), target_id=int(target_id))
        found["valid_from"] = found["valid_from"].astype("datetime64[ns]")
        found["valid_to"] = found["valid_to"].astype("datetime64[ns]")
        if found.empty or found.iloc[0]["status"] != "proposed":
            raise TargetError("Cette proposition n'existe pas ou a déjà été traitée.")
        row = found.iloc[0]
        change = TargetChange(
            indicator_code=row["indicator_code"], site_code=row["site_code"], target=float(row["target"]),
            direction=row["direction"], strict=bool(row["strict"]),
            valid_from=None if _na(row["valid_from"]) else row["valid_from"].date(),
            valid_to=None if _na(row["valid_to"]) else row["valid_to"].date(),
            source=None if _na(row["source"]) else row["source"])
        note = (note or "").strip() or None
        if note and (problem := label_problem(note, "Le motif")):
            raise TargetError(problem)
        if approve:
            make_room(cur, change)
            sql.execute(cur, "target_set_status", target_id=int(target_id), status="approved", decided_by=actor,
                        decided_at=utcnow(), decision_note=note)
            after_change(cur, change)
        else:
            if not note:
                raise TargetError("Indiquez le motif du refus : le référent le lira.")
            sql.execute(cur, "target_set_status", target_id=int(target_id), status="rejected", decided_by=actor,
                        decided_at=utcnow(), decision_note=note)
        record_audit(cur, actor=actor, action="approbation de cible" if approve else "refus de cible",
                     entity="cible", key=f"{change.indicator_code} {change.site_code}",
                     before={"statut": "proposée", **asdict(change)},
                     after={"statut": "approuvée" if approve else "refusée", "motif": note}, now=utcnow())


def _na(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value) in ("NaT", "nan", "<NA>")


def _everything(cur):
    from qualepref.access import system_scope

    return system_scope(row[0] for row in sql.execute(cur, "site_codes"))


def parse_value(text) -> float:
    """`4,5`, `10 %` → float; anything else → TargetError (French)."""
    from qualepref.referentiel_edit import ReferentielError, parse_target

    try:
        value = parse_target(text)
    except ReferentielError as exc:
        raise TargetError(str(exc)) from None
    if value is None:
        raise TargetError("Indiquez la cible (un nombre).")
    return value


# -- the import kind `cibles` (qualepref.ingest.targets_kind) ---------------------------------------------
def _changes(batch) -> list[tuple[TargetChange, str]]:
    out = []
    for r in batch.sort_values("valid_from", na_position="first", kind="stable").to_dict("records"):
        def day(value):
            return None if value is None or _na(value) else (value.date() if hasattr(value, "date") and
                                                             not isinstance(value, date) else value)
        site = None if r["site_code"] is None or _na(r["site_code"]) else str(r["site_code"])
        out.append((TargetChange(str(r["indicator_code"]), site, float(r["target"]), str(r["direction"]),
                                 bool(r["strict"]), day(r["valid_from"]), day(r["valid_to"]),
                                 None if _na(r["source"]) else r["source"]), str(r["status"])))
    return out


def _already(cur, change: TargetChange, status: str) -> bool:
    found = sql.execute(cur, "target_identical", indicator_code=change.indicator_code, site_code=change.site_code,
                        target=change.target, strict=change.strict, valid_from=change.valid_from,
                        valid_to=change.valid_to, source=change.source, status=status)
    return bool(found[0][0])


def preview_import(cur, batch):
    """What importing `batch` would do: rows new, rows already there (the same file twice changes nothing)."""
    from qualepref.store import WriteCounts

    known = sum(_already(cur, change, status) for change, status in _changes(batch))
    return WriteCounts(new=len(batch) - known, unchanged=known)


def write_import(cur, batch, *, scope: SiteScope, actor: str, upload_id: int, file_name: str):
    """Write an imported batch inside the import's transaction: approved rows in force from their date
    (the previous target ends the day before), proposals waiting for an administrator; one audit line."""
    from qualepref.store import WriteCounts

    changes = _changes(batch)
    local = sorted({c.site_code for c, _ in changes if c.site_code is not None})
    scope.require(local, write=True)
    if any(c.site_code is None for c, _ in changes) and not scope.national:
        raise TargetError("Une cible nationale est fixée par l'administrateur.")
    if any(status == "approved" for _, status in changes) and not scope.national:
        raise TargetError("Une cible propre à un site est approuvée par un administrateur.")
    counts = WriteCounts()
    for change, status in changes:
        if _already(cur, change, status):
            counts = counts + WriteCounts(unchanged=1)
            continue
        write_approved(cur, change, status=status, actor=actor, upload_id=upload_id)
        counts = counts + WriteCounts(new=1)
    if counts.new:
        record_audit(cur, actor=actor, action="import de cibles", entity="cible", key=file_name[:200], before=None,
                     after={"cibles": counts.new, "statut": sorted({s for _, s in changes})}, now=utcnow())
    return counts
