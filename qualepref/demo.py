"""Deterministic national demonstration data.

Slow trends, seasonality and site effects rather than noise, so the charts
tell a plausible story: every site has 36 months of its indicators, three
annual survey campaigns and compliance assessments on module 1 plus one to
three optional modules. Everything here is flagged `is_demo`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from qualepref import demo_labelling, labelling_store, sql, store
from qualepref.access import Principal, SiteScope, administrator_name, system_scope

DEFAULT_SEED = 20250101
# The change log's entity for the removal of the demonstration data.
AUDIT_ENTITY = "démonstration"
N_MONTHS = 36
N_CAMPAIGNS = 3
OPTIONAL_MODULES = (2, 3, 4, 5, 6, 7)


@dataclass(frozen=True)
class IndicatorModel:
    """How one indicator behaves: centre, spread between sites, seasonality, bounds."""

    center: float
    site_sd: float  # spread between sites (relative to center)
    quality_weight: float  # how much a site's quality moves it (signed, relative)
    season_amp: float  # relative amplitude of the yearly cycle
    season_peak: int  # month of the seasonal peak
    noise_sd: float  # month-to-month noise (relative)
    lo: float
    hi: float
    decimals: int = 1
    count: bool = False


MODELS = {
    "COURRIER_DELAI": IndicatorModel(11.5, 0.25, 0.18, 0.12, 8, 0.07, 2, 40),
    "COURRIEL_DELAI": IndicatorModel(4.2, 0.32, 0.22, 0.12, 8, 0.08, 0.5, 14),
    "RECLAMATION_DELAI": IndicatorModel(11.0, 0.28, 0.2, 0.1, 8, 0.08, 2, 40),
    "APPELS_PERDUS": IndicatorModel(7.5, 0.35, 0.25, 0.15, 6, 0.08, 0.5, 35),
    "DECROCHE_5_SONNERIES": IndicatorModel(88.0, 0.035, -0.025, 0.02, 6, 0.012, 55, 100),
    "ATTENTE_GUICHET": IndicatorModel(16.0, 0.3, 0.2, 0.15, 6, 0.08, 2, 75, decimals=0),
    "RECLAMATIONS_RECUES": IndicatorModel(28.0, 0.5, 0.1, 0.1, 10, 0.15, 0, 400, 0, True),
    "POINT_NUMERIQUE_USAGERS": IndicatorModel(160.0, 0.5, -0.05, 0.15, 10, 0.12, 0, 3000, 0, True),
    "PUBLICATIONS_RESEAUX": IndicatorModel(14.0, 0.4, -0.1, 0.15, 6, 0.2, 0, 120, 0, True),
    "DELAI_CNI": IndicatorModel(14.0, 0.35, 0.2, 0.3, 5, 0.08, 3, 70, decimals=0),
    "DELAI_PASSEPORT": IndicatorModel(17.0, 0.35, 0.2, 0.3, 5, 0.08, 3, 80, decimals=0),
    "DELAI_PERMIS": IndicatorModel(10.0, 0.3, 0.2, 0.1, 7, 0.08, 2, 60, decimals=0),
    "DELAI_TITRE_SEJOUR": IndicatorModel(62.0, 0.3, 0.2, 0.1, 9, 0.06, 15, 200, decimals=0),
    "CELLULE_ACTIVATION_DELAI": IndicatorModel(45.0, 0.3, 0.25, 0.0, 1, 0.25, 10, 180, decimals=0),
    "SITE_INFOS_VERIFIEES": IndicatorModel(93.0, 0.06, -0.04, 0.0, 1, 0.03, 50, 100, decimals=0),
    "EXERCICES_COMMUNICATION": IndicatorModel(1.0, 0.4, -0.2, 0.0, 1, 0.5, 0, 4, 0, True),
}
# Rates measured with their counts (issue 15): monthly volume processed (for a site of average size) and
# the share processed within the délai (centre, spread between sites, how much a site's quality moves it).
COUNT_MODELS = {
    "COURRIERS_DANS_DELAI": (260, 0.86, 0.05, 0.06),
    "COURRIELS_5_JOURS": (420, 0.90, 0.04, 0.05),
    "RECLAMATIONS_15_JOURS": (22, 0.84, 0.06, 0.08),
    "APPELS_DECROCHES": (2400, 0.91, 0.03, 0.04),
}
# Rates (in points) for which a higher value is better stay under 100.
LEVELS = ("n_tres_satisfait", "n_satisfait", "n_peu_satisfait", "n_pas_du_tout_satisfait", "n_sans_avis")


@dataclass(frozen=True)
class DemoData:
    indicator_values: pd.DataFrame
    survey_results: pd.DataFrame
    compliance: pd.DataFrame
    site_modules: pd.DataFrame


def last_complete_month(today: date | None = None) -> date:
    today = today or date.today()
    first = date(today.year, today.month, 1)
    return (pd.Timestamp(first) - pd.offsets.MonthBegin(1)).date()


def _site_rng(seed: int, *keys) -> np.random.Generator:
    """An independent stream per key, so adding a site or an indicator does not reshuffle the others."""
    digest = hashlib.sha256(repr((seed, *keys)).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def _site_profiles(site_codes, seed: int) -> pd.DataFrame:
    rows = []
    for code in site_codes:
        rng = _site_rng(seed, "profile", code)
        n_optional = int(rng.choice([1, 2, 3], p=[0.45, 0.35, 0.2]))
        optional = sorted(rng.choice(OPTIONAL_MODULES, size=n_optional, replace=False).tolist())
        rows.append({
            "site_code": code,
            "quality": float(rng.normal()),  # > 0: a better-run prefecture
            "size": float(np.exp(rng.normal(0, 0.6))),  # relative population served
            "trend": float(rng.normal(-0.04, 0.08)),  # relative change per year
            "modules": [1, *optional],
        })
    return pd.DataFrame(rows)


def _months(end_month: date, n: int) -> pd.DatetimeIndex:
    return pd.date_range(end=pd.Timestamp(end_month), periods=n, freq="MS")


def _series(model: IndicatorModel, profile, months: pd.DatetimeIndex, rng) -> np.ndarray:
    base = model.center * np.exp(rng.normal(0, model.site_sd)) * (1 - model.quality_weight * profile.quality)
    if model.count:
        base *= profile.size if model.center > 20 else 1.0
    years = np.arange(len(months)) / 12.0
    trend = 1 + profile.trend * (years - years[-1])  # ends at the site's current level
    season = 1 + model.season_amp * np.cos(2 * np.pi * (months.month.to_numpy() - model.season_peak) / 12)
    # AR(1) noise: months resemble their neighbours.
    noise = np.empty(len(months))
    state = 0.0
    for i in range(len(months)):
        state = 0.6 * state + rng.normal(0, model.noise_sd)
        noise[i] = state
    values = base * trend * season * (1 + noise)
    if model.count:
        values = rng.poisson(np.clip(values, 0, None)).astype(float)
    return np.round(np.clip(values, model.lo, model.hi), model.decimals)


def _indicator_values(profiles, indicators, end_month: date, seed: int,
                      n_months: int = N_MONTHS) -> pd.DataFrame:
    months = _months(end_month, n_months)
    quarters = months[months.month.isin([1, 4, 7, 10])]
    frames = []
    for profile in profiles.itertuples():
        site_rng = _site_rng(seed, "gaps", profile.site_code)
        # A month not transmitted at all (every indicator missing), and a few late senders.
        unsent = set(months[site_rng.random(len(months)) < 0.015])
        if site_rng.random() < 0.06:
            unsent.add(months[-1])
        for ind in indicators.itertuples():
            if ind.module in profile.modules and ind.indicator_code in COUNT_MODELS:
                frames.append(_counted(ind.indicator_code, profile, months, unsent, seed))
                continue
            if ind.module not in profile.modules or ind.indicator_code not in MODELS:
                continue
            model = MODELS[ind.indicator_code]
            rng = _site_rng(seed, profile.site_code, ind.indicator_code)
            if ind.frequency == "trimestrielle":
                periods, kind = quarters, "quarter"
            else:
                periods, kind = months, "month"
            values = _series(model, profile, periods, rng)
            keep = np.array([p not in unsent for p in periods])
            if ind.frequency == "évènement":
                keep &= rng.random(len(periods)) < 0.2  # a crisis-cell activation now and then
            keep &= rng.random(len(periods)) > 0.004  # a stray empty cell
            frames.append(pd.DataFrame({
                "site_code": profile.site_code,
                "indicator_code": ind.indicator_code,
                "period_start": periods[keep],
                "period_kind": kind,
                "value": values[keep],
                "comment": pd.NA,
            }))
    return pd.concat(frames, ignore_index=True)


def _counted(code: str, profile, months: pd.DatetimeIndex, unsent: set, seed: int) -> pd.DataFrame:
    """A rate measured with its counts: letters (mails, complaints, calls) processed, and within the délai."""
    volume, center, site_sd, quality_weight = COUNT_MODELS[code]
    rng = _site_rng(seed, profile.site_code, code)
    share = np.clip(center + rng.normal(0, site_sd) + quality_weight * profile.quality, 0.4, 0.995)
    shares = np.clip(share + rng.normal(0, 0.025, len(months)), 0.3, 1.0)
    totals = rng.poisson(volume * profile.size, len(months)).clip(1, None)
    within = rng.binomial(totals, shares)
    keep = np.array([p not in unsent for p in months]) & (rng.random(len(months)) > 0.004)
    return pd.DataFrame({
        "site_code": profile.site_code, "indicator_code": code, "period_start": months[keep], "period_kind": "month",
        "value": 100.0 * within[keep] / totals[keep], "comment": pd.NA,
        "n_total": totals[keep].astype("int64"), "n_within": within[keep].astype("int64"),
    })


def _survey_results(profiles, questions, campaigns, seed: int) -> pd.DataFrame:
    rows = []
    codes = profiles.site_code.tolist()
    # About a dozen sites with a weak point: one question well under 75 % in one campaign.
    weak_rng = _site_rng(seed, "weak")
    weak_sites = set(weak_rng.choice(codes, size=min(12, len(codes)), replace=False).tolist())
    q_codes = questions.question_code.tolist()
    for profile in profiles.itertuples():
        rng = _site_rng(seed, "survey", profile.site_code)
        weak = (rng.choice(q_codes), rng.choice(campaigns)) if profile.site_code in weak_sites else None
        for c_index, campaign in enumerate(campaigns):
            respondents = int(np.clip(np.exp(rng.normal(np.log(110 * profile.size**0.5), 0.5)), 20, 400))
            for q_index, code in enumerate(q_codes):
                logit = 2.6 + 0.3 * profile.quality + 0.12 * c_index + rng.normal(0, 0.25)
                logit += (-0.35 if code in ("ATTENTE", "TELEPHONE") else 0.0) + 0.1 * (q_index % 3)
                if weak == (code, campaign):
                    logit = rng.uniform(0.0, 0.8)
                p = 1 / (1 + np.exp(-logit))
                answered = rng.binomial(respondents, rng.uniform(0.82, 1.0))
                sans_avis = rng.binomial(answered, 0.06)
                expressed = answered - sans_avis
                share_top = rng.uniform(0.35, 0.55)
                counts = rng.multinomial(expressed, [p * share_top, p * (1 - share_top),
                                                     (1 - p) * 0.65, (1 - p) * 0.35])
                levels = dict(zip(LEVELS, [*counts.tolist(), int(sans_avis)], strict=True))
                rows.append({"site_code": profile.site_code, "campaign": str(campaign),
                             "question_code": code, **levels})
    return pd.DataFrame(rows)


def _compliance(profiles, engagements, campaigns, seed: int) -> pd.DataFrame:
    rows = []
    for profile in profiles.itertuples():
        rng = _site_rng(seed, "compliance", profile.site_code)
        p_ok = float(np.clip(0.82 + 0.06 * profile.quality, 0.55, 0.97))
        no_ivr = rng.random() < 0.3  # engagement 8 applies only where a local IVR exists
        audit_year = int(rng.choice(campaigns))
        for year in campaigns:
            kinds = [("auto_evaluation", date(year, 3, 1) + pd.Timedelta(days=int(rng.integers(0, 60))))]
            if year == audit_year:
                kinds.append(("audit_externe", date(year, 10, 1) + pd.Timedelta(days=int(rng.integers(0, 45)))))
            elif rng.random() < 0.3:
                kinds.append(("audit_interne", date(year, 6, 1) + pd.Timedelta(days=int(rng.integers(0, 60)))))
            for kind, assessed_on in kinds:
                for eng in engagements[engagements.module.isin(profile.modules)].itertuples():
                    if eng.module == 1 and eng.engagement == 8 and no_ivr:
                        result = "non_applicable"
                    else:
                        draw = rng.random()
                        ok = min(p_ok + 0.03 * (year - campaigns[0]), 0.98)
                        result = ("conforme" if draw < ok else
                                  "partiel" if draw < ok + (1 - ok) * 0.7 else "non_conforme")
                    rows.append({"site_code": profile.site_code, "module": eng.module,
                                 "engagement": eng.engagement, "assessed_on": pd.Timestamp(assessed_on),
                                 "assessment_type": kind, "result": result})
    return pd.DataFrame(rows)


def generate(site_codes, indicators: pd.DataFrame, questions: pd.DataFrame,
             engagements: pd.DataFrame, *, seed: int = DEFAULT_SEED,
             end_month: date | None = None, n_months: int = N_MONTHS,
             modules: tuple[int, ...] | None = None) -> DemoData:
    """Pure: the same inputs and seed give the same data.

    `n_months` lengthens the history (the benchmark's 10× data set); survey
    campaigns stay the last three years. `modules`, when given, are the modules
    every site retained (instead of module 1 and one to three drawn at random).
    """
    end_month = end_month or last_complete_month()
    profiles = _site_profiles(sorted(site_codes), seed)
    if modules is not None:
        profiles["modules"] = [list(modules)] * len(profiles)
    campaigns = list(range(end_month.year - N_CAMPAIGNS + 1, end_month.year + 1))
    site_modules = profiles[["site_code", "modules"]].explode("modules").rename(columns={"modules": "module"})
    return DemoData(
        indicator_values=_indicator_values(profiles, indicators, end_month, seed, n_months),
        survey_results=_survey_results(profiles, questions, campaigns, seed),
        compliance=_compliance(profiles, engagements, campaigns, seed),
        site_modules=site_modules.reset_index(drop=True),
    )


def demo_counts(db) -> dict:
    return sql.run(db, "demo_row_counts", scope=_all_sites_scope(db)).iloc[0].to_dict()


def has_demo_data(db) -> bool:
    counts = demo_counts(db)
    return (counts["n_demo_indicator_values"] + counts["n_demo_survey_results"]
            + counts["n_demo_compliance"]) > 0


def discovery_allowed(db) -> bool:
    """The "mode découverte" may be offered: demonstration data, and not one other row.

    Not one real value, import, account or change-log line: as soon as the
    installation holds anything of its own, visitors must sign in.
    """
    state = sql.run(db, "discovery_state", scope=_all_sites_scope(db)).iloc[0]
    return int(state.n_demo_rows) > 0 and int(state.n_other_rows) == 0


def was_dismissed(db) -> bool:
    """True once an administrator removed the demonstration data."""
    with db.cursor() as cur:
        rows = sql.execute(cur, "meta_value", key="demo_dismissed")
    return bool(rows and rows[0][0])


def should_autoload(db) -> bool:
    """The app loads demonstration data only into a database that never had any data."""
    return is_empty(db) and not was_dismissed(db)


def is_empty(db) -> bool:
    counts = demo_counts(db)
    return sum(int(v) for v in counts.values()) == 0


def _all_sites_scope(db_or_cur) -> SiteScope:
    if hasattr(db_or_cur, "transaction"):
        with db_or_cur.cursor() as cur:
            codes = [r[0] for r in sql.execute(cur, "site_codes")]
    else:
        codes = [r[0] for r in sql.execute(db_or_cur, "site_codes")]
    return system_scope(codes)


def load(db, *, seed: int = DEFAULT_SEED, end_month: date | None = None) -> dict[str, int]:
    """Generate and write the demonstration data in one transaction: the sites' figures, a
    handful of sub-prefectures with theirs, and the label's national history."""
    end_month = end_month or last_complete_month()
    prefectures = _all_sites_scope(db)
    subs = [row for row in demo_labelling.SUB_PREFECTURES if row[3] in prefectures.site_codes]
    referentiel = _referentiel(db, prefectures)
    data = generate(prefectures.site_codes, *referentiel, seed=seed, end_month=end_month)
    sub_data = generate([row[0] for row in subs], *referentiel, seed=seed, end_month=end_month,
                        modules=demo_labelling.SUB_PREFECTURE_MODULES) if subs else None
    scope = system_scope(prefectures.site_codes | {row[0] for row in subs})
    if sub_data is not None:  # one upload per kind of data, sub-prefectures included
        data = DemoData(*(pd.concat([getattr(data, f), getattr(sub_data, f)], ignore_index=True)
                          for f in DemoData.__dataclass_fields__))
    with db.transaction() as cur:
        for code, name, tncc, parent, region, zone in subs:
            sql.execute(cur, "insert_demo_site", site_code=code, site_name=name, tncc=tncc, parent_code=parent,
                        region_code=region, zone=zone)
        written = _write_facts(cur, data, scope, seed)
        modules = {code: sorted(map(int, group.module)) for code, group in data.site_modules.groupby("site_code")}
        written |= write_labelling(cur, scope, prefectures=sorted(prefectures.site_codes), modules=modules,
                                   engagements=referentiel[2], end_month=end_month, seed=seed)
        written |= write_actions(cur, scope, data, prefectures=sorted(prefectures.site_codes),
                                 indicators=referentiel[0], questions=referentiel[1], end_month=end_month, seed=seed)
        written |= write_targets(cur, prefectures.site_codes, end_month=end_month)
    return written


# A prefecture's own announced délai, approved, and another's proposal waiting for the administrator
# (issue 15): what « notre cible », the step of the target line and the approval page look like.
DEMO_TARGETS = (
    ("19", "COURRIER_DELAI", 10.0, "baisse", True, "approved", "Décision du COPIL du 15/12/{prev} (démo)"),
    ("23", "COURRIEL_DELAI", 3.0, "baisse", False, "proposed", "Charte d'accueil de la Creuse {year} (démonstration)"),
)


def write_targets(cur, site_codes, *, end_month: date) -> dict[str, int]:
    """The demonstration's local targets, from 1 January of the last year (flagged, removed with the demo)."""
    from datetime import datetime

    n = 0
    start = date(end_month.year, 1, 1)
    for site, code, value, direction, strict, status, source in DEMO_TARGETS:
        if site not in site_codes:
            continue
        sql.execute(cur, "insert_demo_target", indicator_code=code, site_code=site, target=value,
                    direction=direction, strict=strict, valid_from=start, status=status,
                    source=source.format(prev=start.year - 1, year=start.year),
                    proposed_at=datetime(start.year - 1, 12, 16, 9, 0))
        n += 1
    return {"targets": n}


def write_actions(cur, scope: SiteScope, data: DemoData, *, prefectures: list[str], indicators: pd.DataFrame,
                  questions: pd.DataFrame, end_month: date, seed: int = DEFAULT_SEED) -> dict[str, int]:
    """The demonstration's plan d'actions, as of the month after `end_month` (flagged demonstration)."""
    from qualepref import actions_store, demo_actions

    today = (pd.Timestamp(end_month) + pd.DateOffset(months=1)).date()
    plan = demo_actions.generate(data.indicator_values, data.survey_results, data.compliance, indicators,
                                 questions, prefectures=prefectures, today=today, seed=seed)
    counts = actions_store.write_batch(cur, plan, scope=scope, actor="démonstration", upload_id=None, today=today,
                                       is_demo=True)
    return {"actions": counts.written}


def write_labelling(cur, scope: SiteScope, *, prefectures: list[str], modules: dict[str, list[int]],
                    engagements: pd.DataFrame, end_month: date, seed: int = DEFAULT_SEED) -> dict[str, int]:
    """The demonstration's périmètre, stages and audit findings, as of the month after `end_month`."""
    today = (pd.Timestamp(end_month) + pd.DateOffset(months=1)).date()
    history = demo_labelling.generate(prefectures, modules, engagements, today=today, seed=seed)
    written = {}
    for kind, frame in (("site_modules", history.site_modules), ("label_events", history.events),
                        ("findings", history.findings)):
        counts = labelling_store.write(cur, kind, frame, scope=scope, upload_id=None, is_demo=True)
        written[kind] = counts.written
    return written


def _referentiel(db, scope: SiteScope) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return (sql.run(db, "referentiel_indicators", scope=scope), sql.run(db, "referentiel_questions", scope=scope),
            sql.run(db, "referentiel_engagements", scope=scope))


def _write_facts(cur, data: DemoData, scope: SiteScope, seed: int) -> dict[str, int]:
    written = {}
    for kind, frame in (("indicator_values", data.indicator_values),
                        ("survey_results", data.survey_results),
                        ("compliance", data.compliance)):
        upload_id = store.next_upload_id(cur)
        counted = None
        if kind == "indicator_values" and "n_total" in frame:
            counted = frame[frame.n_total.notna()]
            frame = frame.drop(columns=["n_total", "n_within"])
        counts = store.write(cur, kind, frame, scope=scope, upload_id=upload_id, is_demo=True)
        if counted is not None and len(counted) and sql.execute(cur, "table_exists", table="indicator_counts")[0][0]:
            # The counts beside their rates (a database older than migration 0081 keeps the rates alone).
            store.write_counts(cur, counted, scope=scope, upload_id=upload_id, is_demo=True)
        store.record_upload(
            cur, upload_id=upload_id, uploaded_by="démonstration",
            file_name=f"donnees-de-demonstration-{kind}", sha256=f"demo-{seed}-{kind}",
            kind={"indicator_values": "indicateurs", "survey_results": "enquete",
                  "compliance": "conformite"}[kind],
            site_codes=sorted(set(frame.site_code)), period_min=None, period_max=None,
            counts=counts, is_demo=True,
        )
        written[kind] = counts.written
    return written


def load_facts(db, *, seed: int = DEFAULT_SEED, end_month: date | None = None) -> dict[str, int]:
    """The indicator values, survey results and compliance assessments of every site, in one transaction.

    Writes only the tables of the first schema: the migration tests build an older database with it.
    """
    scope = _all_sites_scope(db)
    data = generate(scope.site_codes, *_referentiel(db, scope), seed=seed, end_month=end_month)
    with db.transaction() as cur:
        return _write_facts(cur, data, scope, seed)


# What the change log calls each count of removed demonstration rows.
_REMOVED_LABELS = {
    "n_demo_indicator_values": "valeurs_indicateurs",
    "n_demo_survey_results": "resultats_enquete",
    "n_demo_compliance": "evaluations_conformite",
    "n_demo_uploads": "chargements",
}


def remove(db, *, actor: Principal | str) -> dict[str, int]:
    """Delete every demonstration row (real uploads are untouched), with a line in the change log.

    `actor`: the signed-in administrator (a discovery visitor is refused), or
    the name of a server-side caller (the command line). Also remembers the
    choice, so an app restarted on the now empty database does not bring the
    demonstration back.
    """
    from qualepref.auth import record_audit  # auth imports the data layer this module is part of

    actor = administrator_name(actor)
    with db.transaction() as cur:
        scope = _all_sites_scope(cur)
        counts = sql.run(cur, "demo_row_counts", scope=scope).iloc[0].to_dict()
        counts |= sql.run(cur, "demo_upload_count", scope=scope).iloc[0].to_dict()
        removed = {k: int(v) for k, v in counts.items() if k.startswith("n_demo")}
        for table in ("indicator_values", "indicator_counts", "targets", "survey_results", "compliance_assessments",
                      "uploads",
                      "audit_findings", "label_events", "site_module_decisions", "actions", "action_changes"):
            sql.execute(cur, f"delete_demo_{table}")
        for kind in ("indicator_values", "survey_results", "compliance"):
            sql.execute(cur, f"forget_demo_images_{kind}")  # no import undo brings a demonstration row back
        # Demonstration sub-prefectures go too, unless real data or an account came to rely on them.
        sql.execute(cur, "keep_used_demo_sites")
        sql.execute(cur, "delete_demo_sites")
        sql.execute(cur, "set_meta", key="demo_dismissed", value=1)
        record_audit(cur, actor=actor, action="suppression", entity=AUDIT_ENTITY, key="données de démonstration",
                     before={_REMOVED_LABELS[k]: n for k, n in removed.items()},
                     after={_REMOVED_LABELS[k]: 0 for k in removed})
    removed.pop("n_demo_uploads")
    return removed
