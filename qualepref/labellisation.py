"""The labelling cycle of a site: where it stands, which follow-up audits are due, and whether
it is ready for its audit (pure functions over query results).

The process (2013 national press kit): preparation (indicators tracked for at least three
months, diagnostic, action plan, a mystery visit before the audit) → internal audit one to
three months before the external one → external audit (report within 15 days) → decision →
label → annual follow-up audit. A stage dated in the future is a planned one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

# Qualipref's follow-up audit is annual ("Audit de suivi. Annuel pour Qualipref", press kit):
# the default next due date after a decision, a follow-up audit or a renewal that does not say.
FOLLOW_UP_MONTHS = 12
# The list of follow-up audits shows those due within this many days, and every overdue one.
DUE_HORIZON_DAYS = 90
# Internal audit window before the external audit, in months (press kit: "1 à 3 mois avant").
INTERNAL_AUDIT_WINDOW = (1, 3)
# Indicators of the retained modules must be tracked for at least this many months.
MIN_TRACKED_MONTHS = 3
GRANTING = ("decision", "renouvellement")  # stages that grant (or renew) the label when favourable
SETS_NEXT_DUE = ("decision", "audit_suivi", "renouvellement")
EVENT_COLUMNS = ("site_code", "event_id", "event_kind", "event_date", "organisme", "report_date", "result",
                 "referentiel_version", "valid_until", "next_due", "comment")


def default_next_due(event_date: date) -> date:
    """When the next follow-up audit is due after a favourable decision, follow-up or renewal."""
    return (pd.Timestamp(event_date) + pd.DateOffset(months=FOLLOW_UP_MONTHS)).date()


def _day(value) -> date | None:
    if value is None or (not isinstance(value, date) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


@dataclass(frozen=True)
class SiteStatus:
    site_code: str
    status: str  # a code of vocab.LABEL_STATUSES
    label_since: date | None = None  # the favourable decision (or renewal) in force
    valid_until: date | None = None
    next_due: date | None = None  # the next follow-up audit expected
    planned: date | None = None  # the next planned audit (external, follow-up or renewal)
    last_stage: str | None = None
    last_stage_on: date | None = None
    detail: str = ""


@dataclass(frozen=True)
class _Stage:
    on: date
    kind: str
    result: str | None
    valid_until: date | None
    next_due: date | None


def _stages(events: pd.DataFrame) -> list[_Stage]:
    """The rows as plain values, oldest first (a status is worked out for every site on every page
    run: pandas per site cost ~30 ms a site under load, 3 s for the national map)."""
    return sorted(_stages_unsorted(events), key=lambda s: (s.on, s.kind))


def site_status(site_code: str, events: pd.DataFrame | list[_Stage], today: date) -> SiteStatus:
    """Where a site stands on `today`, from its stages (rows of `label_events` for this site)."""
    stages = events if isinstance(events, list) else _stages(events) if len(events) else []
    if not stages:
        return SiteStatus(site_code, "non_engage", detail="Aucune étape enregistrée.")
    past = [s for s in stages if s.on <= today]
    future = [s for s in stages if s.on > today]
    planned = [s.on for s in future if s.kind in ("audit_externe", "audit_suivi", "renouvellement")]
    last = past[-1] if past else None
    common = {"planned": min(planned) if planned else None, "last_stage": last.kind if last else None,
              "last_stage_on": last.on if last else None}
    granted = [s for s in past if s.kind in GRANTING and s.result == "favorable"]
    refusals = [s for s in past if s.kind in SETS_NEXT_DUE and s.result == "defavorable"]
    if granted:
        grant = granted[-1]
        refused = [s for s in refusals if s.on >= grant.on]
        if not refused:
            setter = [s for s in past if s.on >= grant.on and s.kind in SETS_NEXT_DUE and s.result == "favorable"][-1]
            next_due = setter.next_due or default_next_due(setter.on)
            # Labelled since the first grant after the last refusal (renewals continue the label).
            since = min(s.on for s in granted if not refusals or s.on > max(r.on for r in refusals))
            base = {**common, "label_since": since, "valid_until": grant.valid_until, "next_due": next_due}
            if grant.valid_until is not None and grant.valid_until < today:
                return SiteStatus(site_code, "suivi_en_retard", **base, detail=(
                    f"Label échu le {grant.valid_until:%d/%m/%Y} : renouvellement non enregistré."))
            if next_due < today:
                return SiteStatus(site_code, "suivi_en_retard", **base,
                                  detail=f"Audit de suivi attendu le {next_due:%d/%m/%Y}.")
            renewed = f", renouvelé le {grant.on:%d/%m/%Y}" if grant.on != since else ""
            return SiteStatus(site_code, "labellise", **base, detail=f"Labellisé depuis le {since:%d/%m/%Y}{renewed}.")
        cycle_start = max(s.on for s in refused)
    else:
        decided = [s.on for s in past if s.kind in GRANTING and s.result is not None]
        cycle_start = max(decided) if decided else None
    external = [s.on for s in future if s.kind == "audit_externe"]
    if external:
        return SiteStatus(site_code, "audit_externe_programme", **common,
                          detail=f"Audit externe programmé le {min(external):%d/%m/%Y}.")
    internal = [s.on for s in past if s.kind == "audit_interne" and (cycle_start is None or s.on > cycle_start)]
    if internal:
        return SiteStatus(site_code, "audit_interne_fait", **common,
                          detail=f"Audit interne le {max(internal):%d/%m/%Y}.")
    detail = "Décision défavorable : nouvelle préparation." if cycle_start is not None else "Démarche engagée."
    return SiteStatus(site_code, "en_preparation", **common, detail=detail)


def statuses(sites: pd.DataFrame, events: pd.DataFrame, today: date) -> pd.DataFrame:
    """One row per site of `sites` (site_code, site_name, site_kind, …) with its status on `today`."""
    by_site: dict[str, list[_Stage]] = {}
    if len(events):
        for code, stage in zip(events["site_code"], _stages_unsorted(events), strict=True):
            by_site.setdefault(code, []).append(stage)
    rows = [site_status(code, sorted(by_site.get(code, []), key=lambda s: (s.on, s.kind)), today).__dict__
            for code in sites["site_code"]]
    found = pd.DataFrame(rows, columns=list(SiteStatus.__dataclass_fields__))
    return sites.merge(found, on="site_code", how="left")


def _stages_unsorted(events: pd.DataFrame) -> list[_Stage]:
    days = pd.to_datetime(events["event_date"]).dt.date
    results = events["result"].where(events["result"].notna(), None)
    return [_Stage(on, kind, result, _day(valid), _day(due)) for on, kind, result, valid, due in zip(
        days, events["event_kind"], results, events["valid_until"], events["next_due"], strict=True)]


def counts_by_kind(status: pd.DataFrame) -> pd.DataFrame:
    """Per kind of site: how many sites, how many hold the label (in force, follow-up late or not)."""
    holds = status["status"].isin(("labellise", "suivi_en_retard"))
    table = status.assign(_holds=holds).groupby("site_kind", sort=False).agg(
        n_sites=("site_code", "size"), n_labelled=("_holds", "sum")).reset_index()
    return table


def follow_ups_due(status: pd.DataFrame, today: date, horizon_days: int = DUE_HORIZON_DAYS) -> pd.DataFrame:
    """Labelled sites whose follow-up audit (or renewal) is overdue or due within `horizon_days`,
    the most urgent first, with `days_left` (negative when late) and what is already planned."""
    held = status[status["status"].isin(("labellise", "suivi_en_retard"))].copy()
    if held.empty:
        return held.assign(due_on=pd.Series(dtype="object"), days_left=pd.Series(dtype="int64"))
    due = [min(d for d in (n, v) if d is not None) if (n or v) else None
           for n, v in zip(held["next_due"], held["valid_until"], strict=True)]
    held["due_on"] = due
    held = held[held["due_on"].notna()]
    held["days_left"] = [(d - today).days for d in held["due_on"]]
    held = held[held["days_left"] <= horizon_days]
    return held.sort_values(["days_left", "site_code"]).reset_index(drop=True)


# -- audit readiness -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Check:
    key: str
    label: str  # the rule, as the press kit words it
    state: str  # "ok", "manquant" or "a_verifier"
    detail: str  # what is missing, or what was found
    page: str | None = None  # the page that fixes it (pages/<stem>.py)
    page_label: str | None = None


CHECK_STATES = {"ok": "✓ Fait", "manquant": "✗ À faire", "a_verifier": "! À vérifier"}


def _months_between(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


AUDITS = ("audit_externe", "renouvellement", "audit_suivi")


def target_audit(events: pd.DataFrame, today: date, next_due: date | None = None) -> tuple[date, bool] | None:
    """The audit the site is preparing, and whether it is still ahead: the next planned audit
    (external, renewal or follow-up), else the next one due, else the latest external audit."""
    if events.empty and next_due is None:
        return None
    audits = events[events["event_kind"].isin(AUDITS)] if len(events) else events
    days = pd.to_datetime(audits["event_date"]).dt.date if len(audits) else pd.Series(dtype="object")
    upcoming = [d for d in days if d > today]
    if upcoming:
        return min(upcoming), True
    if next_due is not None and next_due >= today:
        return next_due, True
    external = ([d for d, k in zip(days, audits["event_kind"], strict=True) if k == "audit_externe"]
                if len(audits) else [])
    return (max(external), False) if external else None


def readiness(*, events: pd.DataFrame, tracked: pd.DataFrame, mystery_assessments: list[date],
              campaigns: list[str], open_non_conformities: int, actions_tracked: bool, today: date,
              next_due: date | None = None, without_action: int | None = None) -> list[Check]:
    """The press kit's checklist before an external audit, computed from the data.

    `tracked`: one row per indicator of the retained modules (indicator_code,
    indicator_label, frequency, n_months, first_period, last_period), with zero
    months for an indicator never sent; `mystery_assessments`: dates of the
    compliance assessments of type *enquête mystère*; `campaigns`: the site's survey
    campaigns (year labels).
    """
    checks = []
    # 1. Every indicator of the retained modules tracked for at least three months.
    regular = tracked[tracked["frequency"].isin(("mensuelle", "trimestrielle"))] if len(tracked) else tracked
    short = []
    for row in regular.itertuples():
        first = _day(row.first_period)
        span = _months_between(first, today) if first else 0
        enough = (row.n_months >= MIN_TRACKED_MONTHS if row.frequency == "mensuelle"
                  else bool(row.n_months) and span >= MIN_TRACKED_MONTHS)
        if not enough:
            short.append(row.indicator_label)
    if regular.empty:
        checks.append(Check("indicateurs", "Indicateurs des modules retenus suivis depuis au moins 3 mois",
                            "manquant", "Aucun module retenu avec des indicateurs : enregistrez le périmètre.",
                            "demarche", "Enregistrer le périmètre"))
    elif short:
        checks.append(Check("indicateurs", "Indicateurs des modules retenus suivis depuis au moins 3 mois",
                            "manquant", f"{len(short)} indicateur(s) sur {len(regular)} suivi(s) depuis moins de "
                            f"3 mois : " + " ; ".join(short[:6]) + (" …" if len(short) > 6 else "") + ".",
                            "import_donnees", "Importer les données"))
    else:
        checks.append(Check("indicateurs", "Indicateurs des modules retenus suivis depuis au moins 3 mois", "ok",
                            f"Les {len(regular)} indicateurs mensuels et trimestriels sont suivis depuis 3 mois "
                            "ou plus.",
                            "tendances", "Voir les tendances"))
    # 2. An internal audit one to three months before the external audit.
    label = "Audit interne 1 à 3 mois avant l'audit externe"
    target = target_audit(events, today, next_due)
    audit_on = target[0] if target else None
    low, high = INTERNAL_AUDIT_WINDOW
    internal = (sorted(pd.to_datetime(events.loc[events["event_kind"] == "audit_interne", "event_date"]).dt.date)
                if len(events) else [])
    if audit_on is None:
        checks.append(Check("audit_interne", label, "manquant",
                            "Aucun audit externe enregistré ni programmé : programmez-le, puis l'audit interne "
                            "1 à 3 mois avant.", "demarche", "Enregistrer l'étape"))
    else:
        opens = (pd.Timestamp(audit_on) - pd.DateOffset(months=high)).date()
        closes = (pd.Timestamp(audit_on) - pd.DateOffset(months=low)).date()
        window = [d for d in internal if opens <= d <= closes]
        before = [d for d in internal if d < audit_on]
        when = f"audit {'prévu' if target[1] else 'externe'} le {audit_on:%d/%m/%Y}"
        if window:
            checks.append(Check("audit_interne", label, "ok", f"Audit interne le {window[-1]:%d/%m/%Y}, {when}.",
                                "demarche", "Voir les étapes"))
        elif target[1] and today <= closes:  # still time: the window is ahead or open
            between = (f"entre le {opens:%d/%m/%Y} et le {closes:%d/%m/%Y}" if opens > today
                       else f"d'ici le {closes:%d/%m/%Y}")
            checks.append(Check("audit_interne", label, "a_verifier",
                                f"Prochain {when} : prévoyez l'audit interne {between}.", "demarche",
                                "Enregistrer l'étape"))
        else:
            found = (f"dernier audit interne le {before[-1]:%d/%m/%Y}, hors de la fenêtre" if before
                     else "aucun audit interne avant cette date")
            checks.append(Check("audit_interne", label, "manquant",
                                f"{when[0].upper()}{when[1:]} : {found} (attendu entre le {opens:%d/%m/%Y} et le "
                                f"{closes:%d/%m/%Y}).", "demarche", "Enregistrer l'étape"))
    # 3. A mystery visit before the audit (a stage, or an assessment of type enquête mystère).
    reference = audit_on or today
    visits = sorted(set(mystery_assessments) | set(
        pd.to_datetime(events.loc[events["event_kind"] == "enquete_mystere", "event_date"]).dt.date
        if len(events) else []))
    cycle_start = (reference - pd.DateOffset(months=FOLLOW_UP_MONTHS * 2)).date() if audit_on else None
    useful = [d for d in visits if d <= reference and (cycle_start is None or d >= cycle_start)]
    if useful:
        checks.append(Check("enquete_mystere", "Enquête mystère avant l'audit", "ok",
                            f"Enquête mystère le {useful[-1]:%d/%m/%Y}.", "conformite", "Voir la conformité"))
    else:
        checks.append(Check("enquete_mystere", "Enquête mystère avant l'audit", "manquant",
                            "Aucune enquête mystère enregistrée avant l'audit (étape ou évaluation de conformité "
                            "de type « Enquête mystère »).", "import_donnees", "Importer les données"))
    # 4. A satisfaction survey campaign in the last twelve months.
    since = (pd.Timestamp(today) - pd.DateOffset(months=12)).date()
    years = sorted({int(c[:4]) for c in campaigns if str(c)[:4].isdigit()})
    recent = [y for y in years if y >= since.year]
    if recent:
        checks.append(Check("enquete", "Campagne d'enquête de satisfaction dans les 12 derniers mois", "ok",
                            f"Campagne {recent[-1]}.", "tendances", "Voir la satisfaction"))
    else:
        last = f"dernière campagne : {years[-1]}" if years else "aucune campagne enregistrée"
        checks.append(Check("enquete", "Campagne d'enquête de satisfaction dans les 12 derniers mois", "manquant",
                            f"Pas de campagne {since.year} ou {today.year} ({last}).", "import_donnees",
                            "Importer l'enquête"))
    # 5. Open non-conformities without an action.
    if open_non_conformities == 0:
        checks.append(Check("non_conformites", "Non-conformités ouvertes sans action", "ok",
                            "Aucune non-conformité ouverte.", "demarche", "Voir les constats"))
    elif not actions_tracked:
        checks.append(Check("non_conformites", "Non-conformités ouvertes sans action", "a_verifier",
                            f"{open_non_conformities} non-conformité(s) ouverte(s) ; le plan d'actions n'est pas "
                            "encore suivi dans l'outil : vérifiez qu'une action corrective répond à chacune.",
                            "demarche", "Voir les constats"))
    elif not without_action:
        checks.append(Check("non_conformites", "Non-conformités ouvertes sans action", "ok",
                            f"{open_non_conformities} non-conformité(s) ouverte(s), chacune suivie par une action du "
                            "plan d'actions.", "plan_actions", "Voir le plan d'actions"))
    else:
        checks.append(Check("non_conformites", "Non-conformités ouvertes sans action", "manquant",
                            f"{without_action} non-conformité(s) ouverte(s) sur {open_non_conformities} sans action "
                            "du plan d'actions : créez-la depuis le constat (ci-dessous).",
                            "plan_actions", "Ouvrir le plan d'actions"))
    return checks


# -- rules of a stage (forms and imports) ---------------------------------------------------------
# Stages that carry a result, and those that may be planned (dated in the future).
WITH_RESULT = ("audit_externe", "decision", "audit_suivi", "renouvellement")
PLANNABLE = ("enquete_mystere", "audit_interne", "audit_externe", "audit_suivi", "renouvellement")


def event_problems(kind: str, event_date: date | None, *, result: str | None = None,
                   report_date: date | None = None, valid_until: date | None = None,
                   next_due: date | None = None, today: date) -> list[str]:
    """Why a stage cannot be recorded as given (French, one sentence each); empty when it can."""
    problems = []
    if event_date is None:
        return ["La date de l'étape est obligatoire."]
    if event_date > today and kind not in PLANNABLE:
        problems.append("Seuls les audits et les enquêtes mystère peuvent être programmés (date future).")
    if event_date > today and result:
        problems.append("Une étape programmée (date future) n'a pas encore de résultat.")
    if result and kind not in WITH_RESULT:
        problems.append("Seuls l'audit externe, la décision, l'audit de suivi et le renouvellement ont un résultat "
                        "(favorable ou défavorable).")
    if report_date is not None and report_date < event_date:
        problems.append("La date du rapport précède celle de l'audit.")
    if valid_until is not None and valid_until <= event_date:
        problems.append("La fin de validité du label doit suivre la date de l'étape.")
    if valid_until is not None and not (kind in GRANTING and result == "favorable"):
        problems.append("Une fin de validité ne se donne qu'avec une décision ou un renouvellement favorable.")
    if next_due is not None and next_due <= event_date:
        problems.append("La prochaine échéance doit suivre la date de l'étape.")
    return problems


def completed_next_due(kind: str, event_date: date, result: str | None, next_due: date | None) -> date | None:
    """The next follow-up audit: as given, else a year after a favourable decision, follow-up or renewal."""
    if next_due is not None:
        return next_due
    if kind in SETS_NEXT_DUE and result == "favorable":
        return default_next_due(event_date)
    return None
