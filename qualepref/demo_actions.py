"""The demonstration's plan d'actions: a realistic plan per prefecture, drawn from its own figures.

Deterministic (the seed and the data give the same plan). For about two prefectures in three, and
always for the Haute-Vienne (87, the prefecture of the examples):

- an action done months ago on the indicator whose figures moved most in the right direction since
  (its effect is then judged on the data, as any action's: *amélioration* only if the data say so);
- an action on the survey question with the lowest rate of the last campaign, in progress and late;
- a recent action on an indicator off target last month (too early to conclude);
- an action on the latest non-conformity, when there is one;
- now and then a free action (comité local des usagers) or an abandoned one.

Everything is flagged `is_demo` and removed with the demonstration.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import numpy as np
import pandas as pd

from qualepref import actions, campaigns, fmt, stats

OWNERS = ("BLI", "SIDSIC", "Cabinet", "Accueil général", "Service des étrangers", "Plateforme téléphonique",
          "Bureau de la communication")
TITLES = {
    "COURRIER_DELAI": "Circuit de validation des courriers raccourci (délégation de signature)",
    "COURRIEL_DELAI": "Boîte fonctionnelle partagée et réponses types pour les courriels",
    "RECLAMATION_DELAI": "Référent réclamations désigné dans chaque service",
    "APPELS_PERDUS": "Renfort de la plateforme téléphonique aux heures de pointe",
    "DECROCHE_5_SONNERIES": "Renvoi automatique des appels non décrochés vers l'accueil",
    "ATTENTE_GUICHET": "Prise de rendez-vous en ligne pour les guichets les plus chargés",
    "DELAI_CNI": "Créneaux supplémentaires de recueil des demandes de CNI",
    "DELAI_PASSEPORT": "Créneaux supplémentaires de recueil des demandes de passeport",
    "DELAI_PERMIS": "Traitement des dossiers de permis en file unique",
    "DELAI_TITRE_SEJOUR": "Pré-instruction des dossiers de titres de séjour",
    "SITE_INFOS_VERIFIEES": "Revue trimestrielle des pages du site internet",
}
FREE_TITLES = ("Réunir le comité local des usagers sur l'accueil", "Former les agents d'accueil à l'écoute active",
               "Refaire la signalétique du hall d'accueil")


def _rng(seed: int, *keys) -> np.random.Generator:
    digest = hashlib.sha256(":".join(map(str, (seed, *keys))).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def _month(day: date, months: int) -> date:
    return (pd.Timestamp(day) + pd.DateOffset(months=months)).date()


def _row(site, title, status, decided, due, done=None, *, origin_kind="libre", origin_key=None, origin_label=None,
         module=None, engagement=None, owner=None, comment=None, description=None) -> dict:
    return {"action_id": None, "site_code": site, "module": module, "engagement": engagement,
            "origin_kind": origin_kind, "origin_key": origin_key, "origin_label": origin_label, "title": title,
            "description": description, "owner": owner, "working_group": None, "decided_on": decided,
            "due_on": due, "status": status, "done_on": done, "comment": comment}


def _best_improved(monthly: pd.DataFrame, indicators: pd.DataFrame, decided: date, done: date) -> str | None:
    """The indicator (monthly, with a target: rows of `_judged_monthly`) whose mean moved most in its good direction
    from the six months before `decided` to the months from `done` on."""
    when = monthly.period_start
    before = monthly[(when < pd.Timestamp(decided)) & (when >= pd.Timestamp(_month(decided, -6)))]
    after = monthly[when >= pd.Timestamp(done)]
    if before.empty or after.empty:
        return None
    means = pd.DataFrame({"before": before.groupby("indicator_code").value.mean(),
                          "after": after.groupby("indicator_code").value.mean()}).dropna()
    if means.empty:
        return None
    direction = indicators.set_index("indicator_code").direction.reindex(means.index)
    gain = (means.before - means.after) / means.before.abs().replace(0, np.nan)
    gain = gain.where(direction == "baisse", -gain)
    return str(gain.idxmax()) if gain.notna().any() else None


def generate(indicator_values: pd.DataFrame, survey_results: pd.DataFrame, compliance: pd.DataFrame,
             indicators: pd.DataFrame, questions: pd.DataFrame, *, prefectures, today: date,
             seed: int) -> pd.DataFrame:
    """The plan's rows (`actions.FIELDS` and `action_id` None), as of `today`."""
    rows = []
    labels = dict(zip(indicators.indicator_code, indicators.indicator_label, strict=True))
    ind = indicators.set_index("indicator_code")
    q_labels = dict(zip(questions.question_code, questions.question_label, strict=True))
    q_ref = questions.set_index("question_code")
    # Monthly values of the indicators with a target and a direction, judged once for every site.
    monthly = indicator_values[indicator_values.period_kind == "month"].merge(
        indicators[["indicator_code", "direction", "target"]], on="indicator_code")
    monthly = monthly[monthly.target.notna() & monthly.direction.notna()].assign(
        period_start=lambda f: pd.to_datetime(f.period_start))
    monthly = monthly.assign(missed=stats.misses_target(monthly.value, monthly.target, monthly.direction).to_numpy())
    values_by_site = dict(tuple(monthly.groupby("site_code"))) if len(monthly) else {}
    surveys_by_site = dict(tuple(survey_results.groupby("site_code"))) if len(survey_results) else {}
    compliance_by_site = dict(tuple(compliance.groupby("site_code"))) if len(compliance) else {}
    last_month = _month(today.replace(day=1), -1)
    for site in sorted(prefectures):
        rng = _rng(seed, "actions", site)
        if site != "87" and rng.random() > 0.67:
            continue

        def owner(rng=rng) -> str:
            return OWNERS[int(rng.integers(0, len(OWNERS)))]

        values = values_by_site.get(site, monthly.iloc[:0])
        # (1) Done months ago, on the indicator that moved most since: its effect is measured.
        decided = _month(today, -12) + timedelta(days=int(rng.integers(0, 20)))
        done = _month(decided, 3)
        code = _best_improved(values, indicators, decided, done)
        if code:
            period = _month(decided.replace(day=1), -1)
            rows.append(_row(site, TITLES.get(code, f"Plan de rattrapage : {labels[code]}"), "realisee", decided,
                             _month(decided, 4), done, origin_kind="indicateur",
                             origin_key=actions.indicator_key(code, site, period),
                             origin_label=f"{code} hors cible — {pd.Timestamp(period):%m/%Y}",
                             module=int(ind.module[code]), engagement=_int(ind.engagement.get(code)), owner=owner(),
                             comment="Réalisée ; effet suivi au COPIL."))
        # (2) The lowest question of the last campaign: in progress, past its due date.
        surveys = surveys_by_site.get(site)
        if surveys is not None and len(surveys):
            latest = campaigns.ordered(surveys.campaign)[-1]
            last = surveys[surveys.campaign == latest]
            expressed = last[["n_tres_satisfait", "n_satisfait", "n_peu_satisfait",
                              "n_pas_du_tout_satisfait"]].sum(axis=1)
            rate = (last.n_tres_satisfait + last.n_satisfait) / expressed.where(expressed > 0)
            if rate.notna().any():
                worst = last.loc[rate.idxmin()]
                q = worst.question_code
                decided_q = _month(today, -5)
                label = f"« {q_labels.get(q, q)} » {fmt.percent(rate.min(), 0, fraction=True)} — campagne {latest}"
                # Under the threshold the survey alert is its origin; above it, the comité local des usagers
                # chose to work on the question it rates lowest (the origin never says « sous 75 % » wrongly).
                below = rate.min() < stats.THRESHOLD
                rows.append(_row(
                    site, f"Améliorer « {q_labels.get(q, q)[:80]} »", "en_cours", decided_q,
                    _month(today, -1) - timedelta(days=int(rng.integers(0, 25))),
                    origin_kind="question" if below else "libre",
                    origin_key=actions.question_key(q, latest) if below else None,
                    origin_label=f"Question {label}" if below else
                    f"Comité local des usagers — question la moins bien notée : {label}",
                    module=_int(q_ref.module.get(q)), engagement=_int(q_ref.engagement.get(q)), owner=owner(),
                    description="Groupe de travail avec les agents d'accueil ; points d'étape mensuels."))
        # (3) Decided last month on an indicator off target: too early to conclude.
        recent = values[values.period_start == pd.Timestamp(last_month)]
        if len(recent):
            missed = recent[recent.missed]
            if len(missed):
                code = str(missed.iloc[int(rng.integers(0, len(missed)))].indicator_code)
                rows.append(_row(site, TITLES.get(code, f"Plan de rattrapage : {labels[code]}"), "a_lancer",
                                 today - timedelta(days=int(rng.integers(3, 20))), _month(today, 3),
                                 origin_kind="indicateur", origin_key=actions.indicator_key(code, site, last_month),
                                 origin_label=f"{code} hors cible — {pd.Timestamp(last_month):%m/%Y}",
                                 module=int(ind.module[code]), engagement=_int(ind.engagement.get(code)),
                                 owner=owner()))
        # (4) The latest non-conformity.
        assessed = compliance_by_site.get(site)
        if assessed is not None:
            nc = assessed[assessed.result == "non_conforme"].sort_values("assessed_on")
            if len(nc):
                last_nc = nc.iloc[-1]
                on = pd.Timestamp(last_nc.assessed_on).date()
                decided_nc = min(on + timedelta(days=30), today)
                done_nc = min(_month(decided_nc, 3), today) if rng.random() < 0.5 else None
                rows.append(_row(
                    site, f"Mise en conformité de l'engagement {int(last_nc.engagement)} du module "
                          f"{int(last_nc.module)}", "realisee" if done_nc else "en_cours", decided_nc,
                    _month(decided_nc, 4), done_nc, origin_kind="conformite",
                    origin_key=actions.compliance_key(last_nc.module, last_nc.engagement, on),
                    origin_label=f"Non conforme — {last_nc.assessment_type.replace('_', ' ')} du {on:%d/%m/%Y}",
                    module=int(last_nc.module), engagement=int(last_nc.engagement), owner=owner()))
        # (5) Now and then a free action, or an abandoned one.
        if rng.random() < 0.5:
            decided_f = _month(today, -7)
            rows.append(_row(site, FREE_TITLES[int(rng.integers(0, len(FREE_TITLES)))], "realisee", decided_f,
                             _month(decided_f, 2), _month(decided_f, 2), owner="Cabinet",
                             comment="Décidée par le comité local des usagers."))
        if rng.random() < 0.15:
            decided_a = _month(today, -9)
            rows.append(_row(site, "Borne d'accueil numérique dans le hall", "abandonnee", decided_a,
                             _month(decided_a, 6), _month(decided_a, 3), owner="SIDSIC",
                             comment="Abandonnée : remplacée par le point numérique accompagné."))
    return pd.DataFrame(rows, columns=["action_id", *actions.FIELDS])


def _int(value):
    return None if value is None or pd.isna(value) else int(value)
