"""What a COPIL pack says, assembled once from the database and shared by the pptx, PDF and poster.

`load_pack_data` is the only I/O (scoped queries); everything else here is
pure and works on the `PackData` it returns.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from qualepref import (
    alerts,
    anonymity,
    campaigns,
    fmt,
    periods,
    satisfaction,
    sites,
    sql,
    stats,
    targets,
    transmissions,
    vocab,
)
from qualepref.access import ScopeError, SiteScope

# Indicator families of module 1, one slide each (indicators of other modules are
# grouped by module). An indicator added by an administrator to module 1 lands in
# "Autres indicateurs".
MODULE1_FAMILIES = (
    # Each share within the délai next to its mean délai (issue 15: the mean stays, beside the share).
    ("Courriers, courriels et réclamations", ("COURRIER_DELAI", "COURRIERS_DANS_DELAI", "COURRIEL_DELAI",
                                             "COURRIELS_5_JOURS", "RECLAMATION_DELAI", "RECLAMATIONS_15_JOURS",
                                             "RECLAMATIONS_RECUES")),
    ("Téléphone", ("APPELS_PERDUS", "APPELS_DECROCHES", "DECROCHE_5_SONNERIES")),
    ("Accueil", ("ATTENTE_GUICHET",)),
    ("Numérique et réseaux sociaux", ("SITE_INFOS_VERIFIEES", "POINT_NUMERIQUE_USAGERS",
                                      "PUBLICATIONS_RESEAUX")),
)
# The indicators the public sees on the transparency poster, in this order.
POSTER_INDICATORS = ("COURRIER_DELAI", "COURRIEL_DELAI", "RECLAMATION_DELAI", "APPELS_PERDUS",
                     "ATTENTE_GUICHET")
MAX_CHARTS_PER_SLIDE = 4

DEMO_NOTICE = "Données de démonstration"
NATIONAL_NOTE = ("Chaque valeur est comparée aux préfectures ayant transmis la même période (indicateurs : dernier "
                 "mois de la période ; satisfaction : question globale de la dernière campagne). Pour que la "
                 "comparaison reste anonyme, la médiane n'est donnée qu'avec au moins "
                 f"{anonymity.MIN_OTHERS_QUARTILES} autres préfectures, et la position par quart, jamais le rang.")
NATIONAL_COLUMNS = ["label", "unit", "direction", "when", "n_sites", "p10", "q1", "median", "q3", "p90",
                    "own_rank", "own_value", "own_contributes", "note"]


@dataclass(frozen=True)
class Family:
    title: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class PackData:
    site_code: str
    site_name: str
    region_name: str
    start: date  # first month of the period
    end: date  # last month of the period
    built_on: date
    data_as_of: date | None
    is_demo: bool
    values: pd.DataFrame  # pack_indicator_values
    survey: pd.DataFrame  # pack_survey_results + rate, Wilson bounds and alert (every campaign)
    compliance: pd.DataFrame  # compliance_latest of the site at the end of the period
    window_values: pd.DataFrame = field(default_factory=pd.DataFrame)  # alert_indicator_values, alert window
    transmission: pd.DataFrame = field(  # transmissions.status, months of the period
        default_factory=lambda: transmissions.status(pd.DataFrame()))
    module_names: dict[int, str] = field(default_factory=dict)
    site_tncc: int = 0  # INSEE type of name: the article of "Préfecture de la Haute-Vienne"
    site_kind: str = sites.PREFECTURE
    # One row per compared figure: national_*_summary with the label, unit and direction (see national_rows).
    national: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=NATIONAL_COLUMNS))
    target_rows: pd.DataFrame | None = None  # target_rows: the targets in force, period by period
    parent_code: str | None = None  # a sub-prefecture's prefecture (its targets apply by default)
    # The site's plan d'actions (rows of `queries/actions.sql`), with `verdict` (code of vocab.ACTION_VERDICTS)
    # for the actions done during the period that follow an indicator or a question.
    actions: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def site_title(self) -> str:
        """`Préfecture de la Haute-Vienne` (the site as the public reads its name)."""
        return sites.title(self.site_kind, self.site_name, self.site_tncc)

    @property
    def period_label(self) -> str:
        return f"{fmt.month(self.start)} – {fmt.month(self.end)}"

    @property
    def campaign(self) -> str | None:
        """The latest survey campaign up to the period's last year."""
        return None if self.survey.empty else campaigns.latest(self.survey.campaign)

    @property
    def last_survey(self) -> pd.DataFrame:
        if self.survey.empty:
            return self.survey
        return self.survey[self.survey.campaign == self.campaign].reset_index(drop=True)

    @property
    def title(self) -> str:
        return f"{self.site_title} ({self.site_code})"

    def footer(self, *, geo: bool = False) -> str:
        """The source line every slide and page carries."""
        as_of = fmt.day(self.data_as_of or self.built_on)
        text = f"Source : Qual-e-Pref, données au {as_of}"
        if self.is_demo:
            text += f" · {DEMO_NOTICE} (chiffres fictifs)"
        if geo:
            text += " · Liste des préfectures : INSEE – COG, Licence Ouverte Etalab"
        return text


def _parent_code(db, scope: SiteScope, site_code: str) -> str | None:
    sites_ = sql.run(db, "sites", scope=scope)
    found = sites_[sites_.site_code == site_code]
    return None if found.empty or pd.isna(found.parent_code.iloc[0]) else str(found.parent_code.iloc[0])


def end_of_month(month: date) -> date:
    return (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).date()


def load_pack_data(db, scope: SiteScope, site_code: str, start: date, end: date, *,
                   built_on: date | None = None) -> PackData:
    """Read everything a pack shows for one prefecture and period, within the caller's scope."""
    scope.require([site_code])
    site = sql.run(db, "pack_site", scope=scope, site_code=site_code)
    if site.empty:
        raise ScopeError(f"Préfecture inconnue ou hors de votre périmètre : {site_code}")
    start, end = min(start, end), max(start, end)
    start = date(start.year, start.month, 1)
    end = date(end.year, end.month, 1)
    values = sql.run(db, "pack_indicator_values", scope=scope, site_code=site_code, start=start, end=end)
    values["period_start"] = pd.to_datetime(values.period_start)
    site_scope = scope.narrowed([site_code])
    # Every figure is judged on the target in force for this site at its period (qualepref.targets), the
    # survey questions on the satisfaction threshold in force for the site in the campaign's year.
    target_rows = sql.run(db, "target_rows", scope=site_scope)
    survey = sql.run(db, "pack_survey_results", scope=scope, site_code=site_code, last_year=end.year)
    if not survey.empty:
        survey = alerts.survey_thresholds(survey.assign(site_code=site_code), target_rows)
        survey = stats.with_satisfaction(survey, survey["threshold"].to_numpy(dtype=float) / 100)
    compliance = sql.run(db, "compliance_latest", scope=scope.narrowed([site_code]), as_of=end_of_month(end))
    parent = _parent_code(db, site_scope, site_code)
    window_values = targets.judged(sql.run(db, "alert_indicator_values", scope=site_scope,
                                           start=alerts.window_start(end), end=end), target_rows)
    transmission = transmissions.status(sql.run(db, "transmission_grid", scope=site_scope,
                                                **transmissions.query_params(start, end, "month")))
    status = sql.run(db, "pack_data_status", scope=scope, site_code=site_code).iloc[0]
    modules = sql.run(db, "referentiel_modules", scope=scope)
    national = national_rows(db, scope.narrowed([site_code]), values, survey, start, end)
    plan = action_rows(db, site_scope, site_code, start, end)
    row = site.iloc[0]
    last_upload = status.last_upload_at
    return PackData(
        site_code=site_code,
        site_name=str(row.site_name),
        region_name=str(row.region_name),
        start=start,
        end=end,
        built_on=built_on or date.today(),
        data_as_of=None if pd.isna(last_upload) else pd.Timestamp(last_upload).date(),
        is_demo=bool(status.has_demo),
        values=values,
        survey=survey,
        compliance=compliance,
        window_values=window_values,
        transmission=transmission,
        module_names={int(m): str(n) for m, n in zip(modules.module, modules.module_name, strict=True)},
        site_tncc=0 if pd.isna(row.tncc) else int(row.tncc),
        site_kind=str(row.site_kind),
        national=national,
        target_rows=target_rows,
        parent_code=parent,
        actions=plan,
    )


def action_rows(db, scope: SiteScope, site_code: str, start: date, end: date) -> pd.DataFrame:
    """The site's actions, with the verdict on the effect of those done during the period."""
    from qualepref import action_effects

    plan = sql.run(db, "actions", scope=scope)
    plan = plan[plan.site_code == site_code].reset_index(drop=True)
    verdicts = []
    if len(plan):
        indicators = sql.run(db, "referentiel_indicators", scope=scope)
        questions = sql.run(db, "referentiel_questions", scope=scope)
        run = action_effects.database_reader(db)
        low, high = pd.Timestamp(start), pd.Timestamp(end_of_month(end))
    for row in plan.itertuples(index=False):
        done = pd.Timestamp(row.done_on) if pd.notna(row.done_on) else None
        found = (action_effects.linked(run, scope, row, indicators, questions)
                 if row.status == "realisee" and done is not None and low <= done <= high else None)
        verdicts.append(found.effect.verdict if found else None)
    return plan.assign(verdict=verdicts)


ACTION_ROWS_PER_SLIDE = 12


def action_table(data: PackData) -> pd.DataFrame:
    """*Suivi du plan d'actions*: the late actions, those decided during the period and those done during it with
    their effect — late first. Codes kept for colouring (`status`, `late`, `verdict`)."""
    from qualepref import actions

    columns = ["Suivi", "N°", "Action", "Pilote", "Échéance", "Statut", "Effet", "status", "late", "verdict"]
    plan = data.actions
    if plan.empty:
        return pd.DataFrame(columns=columns)
    low, high = pd.Timestamp(data.start), pd.Timestamp(end_of_month(data.end))
    today = data.built_on
    rows = []
    for r in plan.itertuples(index=False):
        late = actions.is_late(r.status, r.due_on, today)
        decided = pd.notna(r.decided_on) and low <= pd.Timestamp(r.decided_on) <= high
        done = r.status == "realisee" and pd.notna(r.done_on) and low <= pd.Timestamp(r.done_on) <= high
        if late:
            section, order = f"En retard de {actions.days_late(r.status, r.due_on, today)} j", 0
        elif done:
            section, order = f"Réalisée le {fmt.day(r.done_on)}", 2
        elif decided and r.status in actions.OPEN_STATUSES:
            section, order = f"Décidée le {fmt.day(r.decided_on)}", 1
        else:
            continue
        verdict = getattr(r, "verdict", None)
        rows.append((order, pd.Timestamp(r.due_on) if pd.notna(r.due_on) else pd.Timestamp.max, {
            "Suivi": ("⚠ " if late else "") + section, "N°": str(int(r.action_id)), "Action": str(r.title),
            "Pilote": r.owner if isinstance(r.owner, str) else "–", "Échéance": fmt.day(r.due_on),
            "Statut": vocab.ACTION_STATUSES.label(r.status),
            "Effet": vocab.ACTION_VERDICTS.label(verdict) if isinstance(verdict, str) else "–",
            "status": r.status, "late": late, "verdict": verdict}))
    rows.sort(key=lambda item: (item[0], item[1]))
    return pd.DataFrame([row for _, _, row in rows], columns=columns)


def action_summary(data: PackData) -> str:
    """`3 décidées sur la période · 2 en retard · 4 réalisées sur la période, dont 2 avec amélioration`."""
    table = action_table(data)
    plan = data.actions
    low, high = pd.Timestamp(data.start), pd.Timestamp(end_of_month(data.end))
    decided = 0 if plan.empty else int(pd.to_datetime(plan.decided_on).between(low, high).sum())
    late = int(table.late.sum())
    done = table[table.Suivi.str.startswith("Réalisée")]
    better = int((done.verdict == "amelioration").sum())
    return (f"{decided} décidée(s) sur la période · {late} en retard · {len(done)} réalisée(s) sur la période, "
            f"dont {better} avec une amélioration mesurée")


def national_rows(db, scope: SiteScope, values: pd.DataFrame, survey: pd.DataFrame, start: date,
                  end: date) -> pd.DataFrame:
    """The national figures behind the pack's « Position nationale », from the Comparaison page's queries.

    Each indicator of the pack as the page compares it by default (the latest
    month of the period), and the global satisfaction question of the latest
    campaign. `scope` is the pack's prefecture alone: its own value and rank.
    """
    rows = []
    indicators = values.drop_duplicates("indicator_code")
    for item in indicators.itertuples():
        summary = sql.run(db, "national_indicator_summary", scope=scope, indicator=item.indicator_code,
                          start=start, end=end, mode="dernier").iloc[0]
        direction = item.direction if isinstance(item.direction, str) else None
        rows.append({**summary.to_dict(), "label": str(item.indicator_label), "unit": str(item.unit),
                     "direction": direction, "when": summary.latest_period,
                     "own_contributes": not pd.isna(summary.own_value), "note": None})
    campaign = None if survey.empty else campaigns.latest(survey.campaign)
    if campaign is not None:
        summary = sql.run(db, "national_satisfaction_summary", scope=scope, campaign=campaign,
                          question=satisfaction.GLOBAL_QUESTION, min_sample=stats.MIN_SAMPLE).iloc[0].to_dict()
        for key in ("p10", "q1", "median", "q3", "p90"):
            summary[key] = None if pd.isna(summary[key]) else summary[key] * 100
        n = 0 if pd.isna(summary["own_expressed"]) else int(summary["own_expressed"])
        label = "Satisfaction globale des usagers"
        rows.append({**summary, "label": label, "unit": "%", "direction": "hausse", "when": f"campagne {campaign}",
                     "own_value": summary["own_satisfied"] / n * 100 if n else None,
                     "own_contributes": n >= stats.MIN_SAMPLE,
                     "note": f"effectif insuffisant (n = {n} < {stats.MIN_SAMPLE})" if 0 < n < stats.MIN_SAMPLE
                     else None})
    return pd.DataFrame(rows, columns=NATIONAL_COLUMNS)


# -- indicator families and series ---------------------------------------------------------------
def families(data: PackData) -> list[Family]:
    """The indicator slides: module 1 by theme, then one per optional module, each ≤ 4 charts."""
    present = list(dict.fromkeys(data.values.indicator_code))
    modules = dict(zip(data.values.indicator_code, data.values.module, strict=False))
    found: list[Family] = []
    placed: set[str] = set()
    for title, codes in MODULE1_FAMILIES:
        kept = tuple(c for c in codes if c in present)
        placed.update(kept)
        if kept:
            found.append(Family(title, kept))
    others = tuple(c for c in present if int(modules[c]) == 1 and c not in placed)
    if others:
        found.append(Family("Autres indicateurs", others))
    for module in sorted({int(modules[c]) for c in present if int(modules[c]) != 1}):
        codes = tuple(c for c in present if int(modules[c]) == module)
        name = data.module_names.get(module, "")
        found.append(Family(f"Module {module} – {name}".rstrip(" –"), codes))
    split = []
    for family in found:
        chunks = [family.codes[i:i + MAX_CHARTS_PER_SLIDE]
                  for i in range(0, len(family.codes), MAX_CHARTS_PER_SLIDE)]
        for index, chunk in enumerate(chunks):
            split.append(Family(family.title + (" (suite)" if index else ""), chunk))
    return split


@dataclass(frozen=True)
class Series:
    """One indicator over the period, on a full grid of periods (a missing period is a gap)."""

    code: str
    label: str
    unit: str
    direction: str | None
    target: float | None
    periods: list[pd.Timestamp]
    period_kind: str
    values: list[float | None]
    target_indicative: bool = False  # a target the référentiel marks illustrative, not yet confirmed
    # The target in force at each period (qualepref.targets); None: `target` all along.
    steps: list[float | None] | None = None
    target_source: str | None = None  # where the target in force at the end comes from
    target_strict: bool = False

    @property
    def categories(self) -> list[str]:
        return [fmt.period(p, self.period_kind) for p in self.periods]

    @property
    def target_values(self) -> list[float | None]:
        return list(self.steps) if self.steps is not None else [self.target] * len(self.periods)


def indicator_series(data: PackData, code: str) -> Series:
    rows = data.values[data.values.indicator_code == code]
    first = rows.iloc[0]
    kind = str(rows.period_kind.mode().iloc[0])
    rows = rows[rows.period_kind == kind]
    by_period = dict(zip(rows.period_start, rows.value, strict=True))
    grid = list(periods.period_range(data.start, data.end, kind))
    target = None if pd.isna(first.target) else float(first.target)
    direction = None if pd.isna(first.direction) else str(first.direction)
    indicative, source, strict, steps = bool(first.get("target_indicative", False)), None, False, None
    if data.target_rows is not None:
        # The target in force at each period of the grid (periods without a value included).
        in_force = targets.series(data.target_rows, code, data.site_code, grid, parent_code=data.parent_code)
        known = [t for t in in_force if t is not None]
        latest = known[-1] if known else None
        target = None if latest is None else latest.target
        if latest is not None:
            direction, indicative, source, strict = latest.direction, latest.indicative, latest.source, latest.strict
        if targets.changes(in_force):
            steps = [None if t is None else t.target for t in in_force]
    return Series(
        code=code,
        label=str(first.indicator_label),
        unit=str(first.unit),
        direction=direction,
        target=target if direction in ("baisse", "hausse") else None,
        periods=grid,
        period_kind=kind,
        values=[None if pd.isna(by_period.get(p)) else float(by_period[p]) for p in grid],
        target_indicative=indicative,
        steps=steps,
        target_source=source,
        target_strict=strict,
    )


# -- key figures and alerts ----------------------------------------------------------------------
STATUS_COLUMNS = ["indicator_code", "indicator_label", "unit", "direction", "target", "target_indicative",
                  "period_start", "period_kind", "value", "judged", "missed", "run", "comment", "target_strict",
                  "target_source"]


def indicator_status(data: PackData) -> pd.DataFrame:
    """Per indicator of the pack: the rule of the Alertes page (`alerts.indicator_status`), for this site.

    An indicator with a target is judged on its latest value of the alert window
    (the six months up to the period's last month): `judged`, `missed`, `run`
    (periods missed in a row, a period without data breaking the run). One
    without a target, or without a value in the window, shows its latest value of
    the period, unjudged.
    """
    judged = alerts.indicator_status(data.window_values).set_index("indicator_code") \
        if not data.window_values.empty else pd.DataFrame()
    rows = []
    for code in [c for family in families(data) for c in family.codes]:
        series = indicator_series(data, code)
        if code in judged.index:
            item = judged.loc[code]
            # The target the value was judged on: the one in force for this site at that period.
            rows.append({"indicator_code": code, "indicator_label": series.label, "unit": series.unit,
                         "direction": item.direction, "target": float(item.target),
                         "target_indicative": bool(item.get("target_indicative", series.target_indicative)),
                         "period_start": pd.Timestamp(item.period_start), "period_kind": item.period_kind,
                         "value": float(item.value), "judged": True, "missed": bool(item.missed),
                         "run": int(item.run), "comment": _text(item.get("comment")),
                         "target_strict": bool(item.get("target_strict", False)),
                         "target_source": _text(item.get("target_source"))})
            continue
        known = [(p, v) for p, v in zip(series.periods, series.values, strict=True) if v is not None]
        if not known:
            continue
        period, value = known[-1]
        rows.append({"indicator_code": code, "indicator_label": series.label, "unit": series.unit,
                     "direction": series.direction, "target": series.target,
                     "target_indicative": series.target_indicative, "period_start": period,
                     "period_kind": series.period_kind, "value": value, "judged": False, "missed": False, "run": 0,
                     "comment": "", "target_strict": series.target_strict, "target_source": series.target_source or ""})
    return pd.DataFrame(rows, columns=STATUS_COLUMNS)


def _text(value, width: int = 160) -> str:
    """A comment for a slide's cell: stripped, shortened past `width` characters."""
    return textwrap.shorten(value, width, placeholder=" …") if isinstance(value, str) and value.strip() else ""


def key_figures(data: PackData) -> pd.DataFrame:
    """The table of the key-figures slide, ready to print (French text)."""
    status = indicator_status(data)
    rows = []
    for item in status.itertuples():
        if item.target is None or pd.isna(item.target):
            verdict = "Suivi sans cible"
        elif not item.judged:
            verdict = f"Pas de valeur ({alerts.window_text(data.end)})"
        elif item.missed:
            verdict = "Cible manquée" + (f" ({item.run} fois de suite)" if item.run >= 2 else "")
        else:
            verdict = "Cible atteinte"
        rows.append({
            "Indicateur": item.indicator_label,
            "Période": fmt.period(item.period_start, item.period_kind),
            "Valeur": fmt.with_unit(item.value, item.unit),
            "Cible": target_text(item),
            "Situation": verdict,
        })
    return pd.DataFrame(rows, columns=["Indicateur", "Période", "Valeur", "Cible", "Situation"])


def target_text(item) -> str:
    """The target in force and where it comes from: `≤ 15 jours ouvrés (référentiel national)`."""
    text = fmt.target_value(item.target, item.unit, item.direction, indicative=item.target_indicative,
                            strict=bool(getattr(item, "target_strict", False)))
    source = getattr(item, "target_source", "") or ""
    return f"{text} ({source})" if source and text != "Sans cible" else text


HEADLINE_BOXES = ("Indicateurs à la cible", satisfaction.LABEL, "Engagements conformes", "Mois à jour")
COMPLIANCE_NOTE = "dernière évaluation, hors non applicables"


def headline_boxes(data: PackData) -> list[tuple[str, str, str]]:
    """(label, figure, definition) of the four key-figure boxes, in order (pptx and PDF alike)."""
    figures = headline(data)
    return [(label, figures[label], figures.get(f"{label} (détail)", COMPLIANCE_NOTE)) for label in HEADLINE_BOXES]


def headline(data: PackData) -> dict[str, str]:
    """The key figures of the key-figures slide, each with the sentence that defines it (`… (détail)`)."""
    status = indicator_status(data)
    judged = status[status.judged.astype(bool)]
    met = int((~judged.missed).sum())
    overall = satisfaction.global_rate(data.last_survey)
    applicable = data.compliance[data.compliance.result != "non_applicable"]
    conform = int((applicable.result == "conforme").sum())
    months = data.transmission
    up = int((months.status == transmissions.SENT).sum()) if not months.empty else 0
    partial = int((months.status == transmissions.PARTIAL).sum()) if not months.empty else 0
    missing = int((months.status == transmissions.MISSING).sum()) if not months.empty else 0
    return {
        "Indicateurs à la cible": f"{met} / {len(judged)}" if len(judged) else "–",
        "Indicateurs à la cible (détail)": f"dernière valeur ({alerts.window_text(data.end)})",
        satisfaction.LABEL: (fmt.percent(overall.rate, fraction=True) if overall else "–"),
        f"{satisfaction.LABEL} (détail)": (
            f"Campagne {overall.campaign}, question globale, n = {fmt.number(overall.n, 0)} répondants"
            if overall else "Question de satisfaction globale non posée"),
        "Engagements conformes": f"{conform} / {len(applicable)}" if len(applicable) else "–",
        "Mois à jour": f"{up} / {len(months)}" if len(months) else "–",
        "Mois à jour (détail)": (f"{partial} partiel{'s' if partial > 1 else ''}, "
                                 f"{missing} non transmis, {data.period_label}"),
    }


def satisfaction_alerts(data: PackData) -> pd.DataFrame:
    """Questions of the last campaign with an alert (three levels), most severe first."""
    survey = data.last_survey
    columns = ["Question", "Taux", "Intervalle 95 %", "n", "Niveau d'alerte"]
    if survey.empty:
        return pd.DataFrame(columns=columns)
    flagged = survey[survey.alert != stats.AlertLevel.NONE].copy()
    flagged["severity"] = flagged.alert.map(stats.ALERT_SEVERITY)
    flagged = flagged.sort_values(["severity", "rate"])
    return pd.DataFrame({
        "Question": flagged.question_label,
        "Taux": [fmt.percent(r, fraction=True) for r in flagged.rate],
        "Intervalle 95 %": [f"{fmt.percent(lo, fraction=True)} – {fmt.percent(hi, fraction=True)}"
                            for lo, hi in zip(flagged.rate_low, flagged.rate_high, strict=True)],
        "n": [fmt.number(n, 0) for n in flagged.n_expressed],
        "Niveau d'alerte": [stats.ALERT_LABELS[a] for a in flagged.alert],
    }, columns=columns).reset_index(drop=True)


def indicator_alerts(data: PackData) -> pd.DataFrame:
    """Indicators whose latest value of the alert window misses the target; two misses in a row flagged."""
    status = indicator_status(data)
    missed = status[status.judged & status.missed.astype(bool)].sort_values("run", ascending=False)
    columns = ["Indicateur", "Période", "Valeur", "Cible", "Tendance", "Commentaire du référent"]
    return pd.DataFrame({
        "Indicateur": missed.indicator_label,
        "Période": [fmt.period(p, k) for p, k in zip(missed.period_start, missed.period_kind, strict=True)],
        "Valeur": [fmt.with_unit(v, u) for v, u in zip(missed.value, missed.unit, strict=True)],
        "Cible": [fmt.target_value(t, u, d, indicative=i) for u, d, t, i in zip(
            missed.unit, missed.direction, missed.target, missed.target_indicative, strict=True)],
        "Tendance": [f"{r} périodes consécutives hors cible" if r >= 2 else "Première période hors cible"
                     for r in missed.run],
        "Commentaire du référent": list(missed.comment),
    }, columns=columns).reset_index(drop=True)


def compliance_table(data: PackData) -> pd.DataFrame:
    """Module × engagement with the latest result (code kept for colouring)."""
    comp = data.compliance
    return pd.DataFrame({
        "Module": [f"{int(m)}" for m in comp.module],
        "N°": [f"{int(e)}" for e in comp.engagement],
        "Engagement": [str(label) if isinstance(label, str) else "" for label in comp.engagement_label],
        "Résultat": [vocab.COMPLIANCE_RESULTS.label(r) for r in comp.result],
        "Évaluation": [f"{vocab.ASSESSMENT_TYPES.label(t)}, {fmt.day(d)}"
                       for t, d in zip(comp.assessment_type, comp.assessed_on, strict=True)],
        "result": list(comp.result),
    })


def missing_months(data: PackData) -> list[pd.Timestamp]:
    """Months of the period the site sent nothing for (`transmissions`: the Transmissions page's status)."""
    return transmissions.unsent_periods(data.transmission)[transmissions.MISSING]


def partial_months(data: PackData) -> list[pd.Timestamp]:
    """Months of the period the site sent part of its expected monthly indicators for."""
    return transmissions.unsent_periods(data.transmission)[transmissions.PARTIAL]


def incomplete_indicators(data: PackData) -> pd.DataFrame:
    """Each expected monthly indicator missing from a partial month, with those months."""
    return transmissions.missing_by_indicator(data.transmission).rename(
        columns={"Périodes sans valeur": "Mois sans valeur"})


def poster_figures(data: PackData) -> list[dict]:
    """The transparency poster's figures: latest published value of each public indicator."""
    status = indicator_status(data).set_index("indicator_code")
    shown = []
    for code in POSTER_INDICATORS:
        if code not in status.index:
            continue
        item = status.loc[code]
        shown.append({
            "code": code,
            "label": item.indicator_label,
            "value": fmt.with_unit(item.value, item.unit),
            "period": fmt.period(item.period_start, item.period_kind),
            # An indicative target is never printed as an "Objectif" on the public poster.
            "target": None if item.target_indicative else fmt.target_value(
                item.target, item.unit, item.direction, strict=bool(item.target_strict)),
            "source": None if item.target_indicative else (item.target_source or None),
            "met": None if item.target_indicative or not item.judged else not bool(item.missed),
        })
    return shown


# -- national position ---------------------------------------------------------------------------
def national_position(data: PackData) -> pd.DataFrame:
    """The « Position nationale » table: own value, national median and position, per compared figure.

    The pack goes to the prefecture's COPIL whoever builds it, so the
    anonymity rule of a local scope applies even when the ministry prints it:
    no figure over too few other prefectures, never the exact rank.
    """
    columns = ["Indicateur", "Période", "Votre valeur", "Médiane nationale", "Position nationale",
               "Préfectures comparées"]
    rows = []
    for row in data.national.to_dict("records"):
        figures = anonymity.national_figures(row, names_visible=False, own_value=row["own_value"],
                                             own_contributes=bool(row["own_contributes"]),
                                             direction=row["direction"])
        if not figures.quartiles_shown:
            where = anonymity.TOO_FEW
        elif row["direction"] is None:
            where = "Indicateur de suivi (sans classement)"
        elif not row["own_contributes"]:
            where = "Non classée" + (f" : {row['note']}" if row["note"] else " (pas de valeur)")
        else:
            where = anonymity.position_text(figures.position)
        when = row["when"]
        rows.append({
            "Indicateur": row["label"],
            "Période": when if isinstance(when, str) else ("–" if pd.isna(when) else fmt.month(when)),
            "Votre valeur": fmt.with_unit(row["own_value"], row["unit"]),
            "Médiane nationale": fmt.with_unit(figures.median, row["unit"]) if figures.quartiles_shown else "–",
            "Position nationale": where,
            "Préfectures comparées": str(figures.n_sites),
        })
    return pd.DataFrame(rows, columns=columns)
