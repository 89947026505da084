"""The plan d'actions: statuses, origins and their stable keys, checks, lateness and the effect verdict.

Pure functions (no I/O); the write path is `qualepref.actions_store`.

**Origins.** An action comes from an indicator off target, a survey question under 75 %, a
non-conformity found by an assessment, an audit finding, or from nothing (a free action, decided
by the comité local des usagers or the COPIL). Its `origin_key` identifies the origin without any
row id of a fact table, so that an action survives a re-import of the figures:

- `indicateur`: `<indicator code>|<site>|<period start YYYY-MM-DD>`;
- `question`: `<question code>|<campaign>`;
- `conformite`: `<module>|<engagement>|<assessment date YYYY-MM-DD>`;
- `constat`: `<finding id>` (audit findings keep their id across re-imports);
- `libre`: no key.

An alert *has an action* when an open action (à lancer, en cours) of the same site follows the
same indicator or question (whatever the period or campaign it was created from); a
non-conformity when an open action follows the same module and engagement.

**Effect verdict** (`effect`): the series of the linked indicator or question before the action
(up to `BASELINE_PERIODS` periods before the decision) and after it (from the date it was done,
else from the decision). Fewer than `MIN_PERIODS_AFTER` periods after: *trop tôt pour conclure*.
Indicator: the means differ by more than twice their standard error and by at least
`MIN_RELATIVE_CHANGE` of the mean before, in the direction of the indicator's target
(*amélioration*) or against it (*dégradation*), else *pas de changement net*. Satisfaction rate:
answers pooled before and after; *amélioration* only when the two 95 % Wilson intervals do not
overlap (`stats.wilson_interval`), the same prudent rule as the rank bands.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import pandas as pd

from qualepref import fmt, stats
from qualepref.vocab import ACTION_ORIGINS, ACTION_STATUSES, ACTION_VERDICTS

STATUSES = ACTION_STATUSES.codes  # a_lancer, en_cours, realisee, abandonnee
OPEN_STATUSES = ("a_lancer", "en_cours")
CLOSED_STATUSES = ("realisee", "abandonnee")
ORIGIN_KINDS = ACTION_ORIGINS.codes
TEXT_FIELDS = ("title", "description", "owner", "working_group", "comment", "origin_label")
DATE_FIELDS = ("decided_on", "due_on", "done_on")
# Every field an action holds (what the forms, the import and the change log know).
FIELDS = ("site_code", "module", "engagement", "origin_kind", "origin_key", "origin_label", "title",
          "description", "owner", "working_group", "decided_on", "due_on", "status", "done_on", "comment")
# What a COPIL member may change (see `actions_store`): where the action stands, and a word on it.
COPIL_FIELDS = frozenset({"status", "done_on", "comment"})
MAX_TITLE = 200
MAX_TEXT = 2000

BASELINE_PERIODS = 6  # periods before the action the "before" mean is taken on
MIN_PERIODS_AFTER = 3  # fewer periods after the action: too early to conclude
MIN_RELATIVE_CHANGE = 0.05  # an indicator's change smaller than 5 % of its mean before is no net change


class ActionError(ValueError):
    """An action that cannot be recorded (French message for the user)."""


# -- origin keys ----------------------------------------------------------------------------------
def _day(value) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def indicator_key(indicator_code: str, site_code: str, period_start) -> str:
    return f"{indicator_code}|{site_code}|{_day(period_start)}"


def question_key(question_code: str, campaign) -> str:
    return f"{question_code}|{campaign}"


def compliance_key(module: int, engagement: int, assessed_on) -> str:
    return f"{int(module)}|{int(engagement)}|{_day(assessed_on)}"


def subject(origin_kind: str, origin_key: str | None) -> str | None:
    """What an origin follows whatever its period: the indicator or question code, `module|engagement`."""
    if not origin_key or origin_kind in ("libre", "constat"):
        return origin_key or None
    parts = str(origin_key).split("|")
    return "|".join(parts[:2]) if origin_kind == "conformite" else parts[0]


def key_problem(origin_kind: str, origin_key: str | None) -> str | None:
    """Why a key does not fit its kind (None when it does)."""
    if origin_kind not in ORIGIN_KINDS:
        return "Origine inconnue (" + ", ".join(t.label for t in ACTION_ORIGINS) + ")."
    if origin_kind == "libre":
        return None if not origin_key else "Une action libre n'a pas de clé d'origine."
    if not origin_key:
        return "Clé d'origine obligatoire pour une action liée à un chiffre."
    parts = str(origin_key).split("|")
    expected = {"indicateur": 3, "question": 2, "conformite": 3, "constat": 1}[origin_kind]
    if len(parts) != expected or not all(p.strip() for p in parts):
        return {"indicateur": "Clé d'origine attendue : code de l'indicateur|site|AAAA-MM-JJ.",
                "question": "Clé d'origine attendue : code de la question|campagne.",
                "conformite": "Clé d'origine attendue : module|engagement|AAAA-MM-JJ.",
                "constat": "Clé d'origine attendue : le numéro du constat."}[origin_kind]
    try:
        if origin_kind == "indicateur":
            date.fromisoformat(parts[2])
        elif origin_kind == "conformite":
            int(parts[0]), int(parts[1])
            date.fromisoformat(parts[2])
        elif origin_kind == "constat":
            int(parts[0])
    except ValueError:
        return "Clé d'origine mal formée (nombres et date AAAA-MM-JJ attendus)."
    return None


# -- checks ----------------------------------------------------------------------------------------
def _blank(value) -> bool:
    """None, NaN, NaT, pd.NA or an empty text."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or an array: not a cell
        return False


def as_date(value) -> date | None:
    if _blank(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def clean(fields: dict) -> dict:
    """Fields as stored: stripped texts (empty → None), dates as `date`, numbers as int."""
    out = dict(fields)
    for name in TEXT_FIELDS:
        if name in out:
            out[name] = None if _blank(out[name]) else str(out[name]).strip()
    for name in DATE_FIELDS:
        if name in out:
            out[name] = as_date(out[name])
    for name in ("module", "engagement"):
        if name in out:
            out[name] = None if _blank(out[name]) else int(out[name])
    if "origin_key" in out:
        out["origin_key"] = None if _blank(out["origin_key"]) else str(out["origin_key"]).strip()
    return out


def problems(action: dict, *, today: date) -> list[tuple[str, str]]:
    """(field, French message) for each rule the action breaks; empty when it may be recorded."""
    found = []
    title = action.get("title")
    if _blank(title):
        found.append(("title", "Intitulé obligatoire."))
    elif len(str(title)) > MAX_TITLE:
        found.append(("title", f"Intitulé trop long ({len(str(title))} caractères, {MAX_TITLE} au plus)."))
    for name in ("description", "comment", "owner", "working_group"):
        value = action.get(name)
        if not _blank(value) and len(str(value)) > MAX_TEXT:
            found.append((name, f"Texte trop long ({MAX_TEXT} caractères au plus)."))
    status = action.get("status")
    if status not in STATUSES:
        found.append(("status", "Statut inconnu (" + ", ".join(t.label for t in ACTION_STATUSES) + ")."))
    decided, due, done = (as_date(action.get(n)) for n in DATE_FIELDS)
    if decided is not None and decided > today:
        found.append(("decided_on", "Date de décision dans le futur."))
    if decided is not None and due is not None and due < decided:
        found.append(("due_on", "Échéance antérieure à la décision."))
    if status == "realisee" and done is None:
        found.append(("done_on", "Date de réalisation obligatoire pour une action réalisée."))
    if done is not None:
        if status in OPEN_STATUSES:
            found.append(("done_on", "Date de réalisation seulement pour une action réalisée ou abandonnée."))
        if done > today:
            found.append(("done_on", "Date de réalisation dans le futur."))
        if decided is not None and done < decided:
            found.append(("done_on", "Date de réalisation antérieure à la décision."))
    problem = key_problem(action.get("origin_kind"), action.get("origin_key"))
    if problem:
        found.append(("origin_key", problem))
    return found


def check(action: dict, *, today: date) -> None:
    found = problems(action, today=today)
    if found:
        raise ActionError(" ".join(message for _, message in found))


# -- reading -----------------------------------------------------------------------------------------
def is_late(status, due_on, today: date) -> bool:
    """Open and past its due date (the due day itself is not late)."""
    due = as_date(due_on)
    return status in OPEN_STATUSES and due is not None and due < today


def days_late(status, due_on, today: date) -> int:
    return (today - as_date(due_on)).days if is_late(status, due_on, today) else 0


def late_text(status, due_on, today: date) -> str:
    """`⚠ en retard de 12 j` (symbol and words: the colour is never the only sign), else ``."""
    n = days_late(status, due_on, today)
    return f"⚠ en retard de {n} j" if n else ""


def with_reading(actions: pd.DataFrame, today: date) -> pd.DataFrame:
    """Rows of `queries/actions.sql` with `late`, `days_late`, `subject` (what the origin follows)."""
    out = actions.copy()
    out["late"] = [is_late(s, d, today) for s, d in zip(out.status, out.due_on, strict=True)]
    out["days_late"] = [days_late(s, d, today) for s, d in zip(out.status, out.due_on, strict=True)]
    out["subject"] = [subject(k, key) for k, key in zip(out.origin_kind, out.origin_key, strict=True)]
    return out


def progress_counts(actions: pd.DataFrame, today: date) -> dict[str, int]:
    """Actions per status, in order, and the late ones (`en_retard`)."""
    counts = {code: int((actions.status == code).sum()) for code in STATUSES}
    counts["en_retard"] = int(sum(is_late(s, d, today) for s, d in zip(actions.status, actions.due_on,
                                                                         strict=True)))
    return counts


def follow_up_text(status: str, due_on, today: date) -> str:
    """How an alert's open action reads on *Alertes*: `action en cours, échéance 31/03/2026`."""
    words = {"a_lancer": "action à lancer", "en_cours": "action en cours"}.get(status, "action")
    due = as_date(due_on)
    text = words + (f", échéance {fmt.day(due)}" if due else ", sans échéance")
    return text + (" (en retard)" if is_late(status, due, today) else "")


def open_follow_ups(actions: pd.DataFrame, today: date) -> dict[tuple[str, str, str], tuple[int, str]]:
    """(site, origin kind, subject) → (action id, text) of the open action following it (the soonest due)."""
    if actions.empty:
        return {}
    rows = actions[actions.status.isin(OPEN_STATUSES)].copy()
    rows["subject"] = [subject(k, key) for k, key in zip(rows.origin_kind, rows.origin_key, strict=True)]
    rows = rows[rows.subject.notna()].sort_values("due_on", na_position="last", kind="stable")
    out = {}
    for site, kind, subj, action_id, status, due in zip(rows.site_code, rows.origin_kind, rows.subject,
                                                          rows.action_id, rows.status, rows.due_on, strict=True):
        out.setdefault((site, kind, subj), (int(action_id), follow_up_text(status, due, today)))
    return out


# -- effect ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Effect:
    verdict: str  # code of `vocab.ACTION_VERDICTS`
    since: date | None  # the date "after" starts
    n_before: int
    n_after: int
    mean_before: float | None  # a rate as a fraction 0–1 for satisfaction
    mean_after: float | None
    low_before: float | None = None  # Wilson bounds (satisfaction rates only)
    high_before: float | None = None
    low_after: float | None = None
    high_after: float | None = None
    decided: date | None = None  # "before" ends here (the decision); between it and `since`, the action was under way
    before_from: date | None = None  # first period of "before"

    @property
    def label(self) -> str:
        return ACTION_VERDICTS.label(self.verdict)


def effect_since(decided_on, done_on) -> date | None:
    """After = since the action was done, else since it was decided."""
    return as_date(done_on) or as_date(decided_on)


def _split(series: pd.DataFrame, since: date, decided: date | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(before, after): up to `BASELINE_PERIODS` periods before the decision, and the periods from `since` on (the
    periods while the action was under way, between the decision and the day it was done, are in neither)."""
    ordered = series.assign(period_start=pd.to_datetime(series["period_start"])).sort_values("period_start")
    cut = pd.Timestamp(since)
    before = ordered[ordered.period_start < pd.Timestamp(min(decided or since, since))].tail(BASELINE_PERIODS)
    after = ordered[ordered.period_start >= cut]
    return before, after


def _window(before: pd.DataFrame, decided, since) -> dict:
    return {"decided": as_date(decided) or since,
            "before_from": before.period_start.min().date() if len(before) else None}


def indicator_effect(series: pd.DataFrame, *, since, direction: str | None, decided=None) -> Effect:
    """Verdict on an indicator's series (`period_start`, `value`; one row per period); `decided` (default: `since`)
    ends the periods before."""
    since = as_date(since)
    series = series.dropna(subset=["value"])
    if since is None:
        return Effect("trop_tot", None, 0, 0, None, None)
    before, after = _split(series, since, as_date(decided))
    nb, na = len(before), len(after)
    mb = float(before.value.mean()) if nb else None
    ma = float(after.value.mean()) if na else None
    window = _window(before, decided, since)
    if nb == 0:
        return Effect("sans_reference", since, nb, na, mb, ma, **window)
    if na < MIN_PERIODS_AFTER:
        return Effect("trop_tot", since, nb, na, mb, ma, **window)
    var_b = float(before.value.var(ddof=1)) if nb >= 2 else 0.0
    var_a = float(after.value.var(ddof=1)) if na >= 2 else 0.0
    se = math.sqrt(var_b / nb + var_a / na)
    diff = ma - mb
    net = abs(diff) > 2 * se and abs(diff) >= MIN_RELATIVE_CHANGE * max(abs(mb), 1e-9)
    if not net or direction not in ("baisse", "hausse"):
        return Effect("pas_de_changement", since, nb, na, mb, ma, **window)
    better = diff < 0 if direction == "baisse" else diff > 0
    return Effect("amelioration" if better else "degradation", since, nb, na, mb, ma, **window)


def rate_effect(series: pd.DataFrame, *, since, decided=None) -> Effect:
    """Verdict on a satisfaction rate's series (`period_start`, `satisfied`, `n_expressed`; one row per campaign).

    Amélioration only when the Wilson interval after lies wholly above the one before.
    """
    since = as_date(since)
    series = series[series["n_expressed"].fillna(0) > 0]
    if since is None:
        return Effect("trop_tot", None, 0, 0, None, None)
    before, after = _split(series, since, as_date(decided))
    nb, na = len(before), len(after)

    def pooled(rows):
        if rows.empty:
            return None, None, None
        s, n = float(rows.satisfied.sum()), float(rows.n_expressed.sum())
        low, high = stats.wilson_interval(s, n)
        return s / n, low, high

    mb, lb, hb = pooled(before)
    ma, la, ha = pooled(after)
    base = dict(since=since, n_before=nb, n_after=na, mean_before=mb, mean_after=ma, low_before=lb,
                high_before=hb, low_after=la, high_after=ha, **_window(before, decided, since))
    if nb == 0:
        return Effect("sans_reference", **base)
    if na < MIN_PERIODS_AFTER:
        return Effect("trop_tot", **base)
    if la > hb:
        return Effect("amelioration", **base)
    if ha < lb:
        return Effect("degradation", **base)
    return Effect("pas_de_changement", **base)


def effect_text(effect: Effect, unit: str | None = None) -> str:
    """`Avant : 12,4 j (6 mois) · après : 9,1 j (4 mois)`, rates in %."""
    def value(v):
        if v is None:
            return "–"
        return fmt.percent(v, fraction=True) if unit is None else fmt.with_unit(v, unit)

    return (f"Avant : {value(effect.mean_before)} ({fmt.count(effect.n_before, 'période')}) · "
            f"après : {value(effect.mean_after)} ({fmt.count(effect.n_after, 'période')})")


def satisfied_column(frame: pd.DataFrame) -> pd.Series:
    return frame["n_tres_satisfait"].astype(float) + frame["n_satisfait"].astype(float)


# -- links from the pages that raise an origin -------------------------------------------------------
PAGE = "plan_actions"  # url path of pages/plan_actions.py
# Query parameters of a "Créer une action" link (what the form is prefilled with).
LINK_PARAMS = {"pref": "site_code", "origine": "origin_kind", "cle": "origin_key", "module": "module",
               "engagement": "engagement", "libelle": "origin_label"}


def create_link(site_code: str, origin_kind: str, origin_key: str | None, *, module=None, engagement=None,
                origin_label: str | None = None) -> str:
    """Relative link to the plan d'actions with the creation form prefilled from an origin."""
    from urllib.parse import urlencode

    values = {"pref": site_code, "origine": origin_kind, "cle": origin_key,
              "module": None if _blank(module) else int(module),
              "engagement": None if _blank(engagement) else int(engagement), "libelle": origin_label}
    return f"{PAGE}?" + urlencode({k: v for k, v in values.items() if v is not None})


def action_link(action_id: int) -> str:
    return f"{PAGE}?action={int(action_id)}"


def prefill_from(params) -> dict | None:
    """The creation form's prefill read from a link's query parameters (None without an origin)."""
    kind = params.get("origine")
    if kind not in ORIGIN_KINDS:
        return None
    out = {field: params.get(name) for name, field in LINK_PARAMS.items()}
    for name in ("module", "engagement"):
        try:
            out[name] = int(out[name]) if out[name] not in (None, "") else None
        except ValueError:
            out[name] = None
    if kind == "libre":
        out["origin_key"] = None
    return out


def alert_origin(kind_label: str, site_code: str, subject_code: str, period_start, period: str, value: str,
                 subject_label: str, misses=None) -> tuple[str, str, str]:
    """(origin kind, key, label) of an alert row of `qualepref.alerts` (survey question or indicator)."""
    from qualepref import alerts

    if kind_label == alerts.SURVEY:
        campaign = str(period).removeprefix("Campagne ").strip()
        return ("question", question_key(subject_code, campaign),
                f"Question « {subject_label} » {value} — campagne {campaign}")
    run = 0 if _blank(misses) else int(misses)
    streak = f" {run} périodes de suite" if run >= 2 else ""
    return ("indicateur", indicator_key(subject_code, site_code, period_start),
            f"{subject_code} hors cible{streak} — {value}, {period}")


def indicator_series(values: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Rows of `action_indicator_series` in the indicator's usual period kind: (series, period kind)."""
    if values.empty:
        return values.assign(value=pd.Series(dtype=float)), "month"
    kind = str(values.period_kind.value_counts().idxmax())
    return values[values.period_kind == kind][["period_start", "value"]].reset_index(drop=True), kind


def question_series(results: pd.DataFrame) -> pd.DataFrame:
    """Rows of `action_question_series`, one per survey year (two campaigns of a year pooled), with the rate."""
    if results.empty:
        return pd.DataFrame(columns=["period_start", "satisfied", "n_expressed", "value"])
    years = results.groupby("period_start", as_index=False)[["satisfied", "n_expressed"]].sum()
    years["value"] = years.satisfied / years.n_expressed.where(years.n_expressed > 0)
    return years


def effect_of(origin_kind: str, series: pd.DataFrame, *, decided_on, done_on, direction: str | None = None) -> Effect:
    """The verdict on an action linked to an indicator (`indicator_series`) or a question (`question_series`)."""
    since = effect_since(decided_on, done_on)
    if origin_kind == "question":
        return rate_effect(series, since=since, decided=decided_on)
    return indicator_effect(series, since=since, direction=direction, decided=decided_on)


def non_conformities(latest: pd.DataFrame, stored_actions: pd.DataFrame, today: date) -> pd.DataFrame:
    """Rows of `compliance_latest` whose latest result is *non conforme*, with their open action (text and link)
    or the link that creates one (origin: that assessment)."""
    rows = latest[latest.result == "non_conforme"].copy()
    if rows.empty:
        return rows.assign(engagement_text=[], origin_label=[], action=[], action_link=[], origin_key=[])
    from qualepref.vocab import ASSESSMENT_TYPES

    follow = open_follow_ups(stored_actions, today)
    rows["origin_key"] = [compliance_key(m, e, d) for m, e, d in zip(rows.module, rows.engagement, rows.assessed_on,
                                                                     strict=True)]
    rows["engagement_text"] = [f"{m}.{e} – {label}" if isinstance(label, str) else f"{m}.{e}"
                               for m, e, label in zip(rows.module, rows.engagement, rows.engagement_label,
                                                      strict=True)]
    rows["origin_label"] = [f"Non conforme — {ASSESSMENT_TYPES.label(t).lower()} du {fmt.day(d)}"
                            for t, d in zip(rows.assessment_type, rows.assessed_on, strict=True)]
    texts, links = [], []
    for site, m, e, key, label in zip(rows.site_code, rows.module, rows.engagement, rows.origin_key,
                                      rows.origin_label, strict=True):
        found = follow.get((site, "conformite", f"{int(m)}|{int(e)}"))
        texts.append(found[1] if found else "aucune action")
        links.append(action_link(found[0]) if found else create_link(site, "conformite", key, module=m,
                                                                       engagement=e, origin_label=label))
    rows["action"], rows["action_link"] = texts, links
    return rows.reset_index(drop=True)


def finding_actions(findings: pd.DataFrame, stored_actions: pd.DataFrame) -> pd.DataFrame:
    """Each audit finding (rows of `audit_findings`) with the action that answers it: one whose origin is the
    finding itself, or an action (not abandoned) on the same module and engagement; `action` (text), `action_link`
    (that action, else the creation form prefilled with the finding) and `has_action`."""
    out = findings.copy()
    live = stored_actions[stored_actions.status != "abandonnee"] if len(stored_actions) else stored_actions
    by_finding, by_engagement = {}, {}
    for row in live.itertuples(index=False):
        if row.origin_kind == "constat" and row.origin_key:
            by_finding.setdefault((row.site_code, str(row.origin_key)), row)
        if not _blank(row.module) and not _blank(row.engagement):
            by_engagement.setdefault((row.site_code, int(row.module), int(row.engagement)), row)
    texts, links, has = [], [], []
    for f in out.itertuples(index=False):
        found = by_finding.get((f.site_code, str(int(f.finding_id))))
        if found is None and not _blank(f.module) and not _blank(f.engagement):
            found = by_engagement.get((f.site_code, int(f.module), int(f.engagement)))
        has.append(found is not None)
        if found is not None:
            from qualepref.vocab import ACTION_STATUSES

            texts.append(f"n° {int(found.action_id)} — {ACTION_STATUSES.label(found.status).lower()}")
            links.append(action_link(found.action_id))
        else:
            texts.append("aucune action")
            links.append(create_link(f.site_code, "constat", str(int(f.finding_id)), module=f.module,
                                     engagement=f.engagement,
                                     origin_label=f"Constat n° {int(f.finding_id)} — {str(f.finding_text)[:120]}"))
    out["action"], out["action_link"], out["has_action"] = texts, links, has
    return out


# -- coverage (ministry) -------------------------------------------------------------------------------
COVERAGE_HEADERS = {
    "site_code": "Code", "site_name": "Préfecture", "n_alerts": "Alertes ouvertes",
    "n_alerts_followed": "Alertes suivies par une action", "n_nc": "Non-conformités",
    "n_nc_followed": "Non-conformités suivies par une action",
    "share_followed": "Part suivie par une action (%)", "n_open": "Actions ouvertes", "n_late": "Actions en retard",
}


def coverage(open_alerts: pd.DataFrame, latest_compliance: pd.DataFrame, stored_actions: pd.DataFrame,
             today: date) -> pd.DataFrame:
    """Per site: open alerts and non-conformities (latest assessment *non conforme*), how many an open action
    follows (`open_follow_ups`: same indicator or question, same module and engagement), the share followed (%,
    NaN with nothing to follow), open and late actions. `open_alerts`: rows of `alerts.open_alerts`."""
    from qualepref import alerts as alert_rules

    follow = open_follow_ups(stored_actions, today)
    items = []
    for site, kind, code in zip(open_alerts.site_code, open_alerts.kind, open_alerts.subject_code, strict=True):
        origin = "question" if kind == alert_rules.SURVEY else "indicateur"
        items.append((site, "alert", (site, origin, code) in follow))
    nc = latest_compliance[latest_compliance.result == "non_conforme"]
    for site, m, e in zip(nc.site_code, nc.module, nc.engagement, strict=True):
        items.append((site, "nc", (site, "conformite", f"{int(m)}|{int(e)}") in follow))
    frame = pd.DataFrame(items, columns=["site_code", "what", "followed"])
    sites = sorted(set(frame.site_code) | set(stored_actions.site_code if len(stored_actions) else []))
    out = pd.DataFrame({"site_code": sites})
    for what, n, followed in (("alert", "n_alerts", "n_alerts_followed"), ("nc", "n_nc", "n_nc_followed")):
        part = frame[frame.what == what]
        out[n] = out.site_code.map(part.groupby("site_code").size()).fillna(0).astype(int)
        out[followed] = out.site_code.map(part.groupby("site_code").followed.sum()).fillna(0).astype(int)
    total = out.n_alerts + out.n_nc
    out["share_followed"] = ((out.n_alerts_followed + out.n_nc_followed) / total.where(total > 0) * 100)
    if len(stored_actions):
        reading = with_reading(stored_actions, today)
        out["n_open"] = out.site_code.map(reading[reading.status.isin(OPEN_STATUSES)].groupby("site_code").size())
        out["n_late"] = out.site_code.map(reading[reading.late].groupby("site_code").size())
    else:
        out["n_open"] = out["n_late"] = 0
    out[["n_open", "n_late"]] = out[["n_open", "n_late"]].fillna(0).astype(int)
    return out
