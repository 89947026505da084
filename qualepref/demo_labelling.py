"""Deterministic demonstration history of the label: périmètre, stages and audit findings (pure).

A believable national picture, as the 2013 press kit and the Haute-Vienne policy tell it:
most prefectures engaged by a COPIL decision, audited internally one to three months before
an independent external audit, labelled, then audited every year and renewed every three
years; a few still preparing (one with its external audit scheduled), some follow-up audits
overdue, one or two refused at first and labelled at the second attempt. A handful of real
sub-prefectures (INSEE COG 2025 codes) take part too. Everything is flagged `is_demo`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

# Real sub-prefectures (INSEE COG 2025: commune code of the chef-lieu d'arrondissement, name,
# TNCC, département, region, zone). Their map point is left empty: an administrator enters it.
SUB_PREFECTURES = (
    ("87011", "Bellac", 0, "87", "75", "metro"),
    ("87126", "Rochechouart", 0, "87", "75", "metro"),
    ("13001", "Aix-en-Provence", 1, "13", "93", "metro"),
    ("13004", "Arles", 1, "13", "93", "metro"),
    ("29019", "Brest", 0, "29", "53", "metro"),
    ("33243", "Libourne", 0, "33", "75", "metro"),
    ("44184", "Saint-Nazaire", 0, "44", "52", "metro"),
    ("85194", "Les Sables-d'Olonne", 4, "85", "52", "metro"),
    ("97416", "Saint-Pierre", 0, "974", "04", "drom"),
)
# A sub-prefecture with a CERT issues titles: the welcome module and module 2.
SUB_PREFECTURE_MODULES = (1, 2)
ORGANISMES = ("AFNOR Certification", "Bureau Veritas Certification", "SGS ICS", "Socotec Certification France")
REFERENTIEL_VERSION = "Qual-e-Pref (décembre 2018)"
LABEL_YEARS = 3  # a label is granted for three years, with a follow-up audit every year in between

POINTS_FORTS = (
    "Accès des personnes à mobilité réduite très satisfaisant",
    "Prise de rendez-vous en ligne pour les démarches des étrangers",
    "Aménagement du hall d'accueil et de la signalétique",
    "Guide de rédaction administrative à la disposition des agents",
    "Formation des agents d'accueil et tutorat des nouveaux arrivants",
    "Procédures de lutte contre la fraude documentaire",
    "Affichage des délais de délivrance et des résultats d'enquête dans le hall",
    "Comité local des usagers réuni chaque année",
    "Standard téléphonique joignable en moins de cinq sonneries",
)
PISTES = (
    "Améliorer l'affichage des calendriers de fréquentation selon les heures d'affluence",
    "Conduire une enquête de satisfaction auprès des communes du département",
    "Améliorer les tableaux des indicateurs de suivi tenus par l'équipe qualité",
    "Réunir le comité local des usagers",
    "Mettre à jour les informations pratiques du site internet plus souvent",
    "Proposer un accompagnement au point numérique aux heures de forte affluence",
)
NON_CONFORMITES = (
    "Délai de réponse aux courriels supérieur à l'engagement sur la période auditée",
    "Résultats de l'enquête de satisfaction non affichés dans le hall",
    "Réclamations sans réponse dans le délai de 15 jours ouvrés",
    "Signalétique extérieure incomplète pour l'accès au point numérique",
    "Formulaire de contact absent du site internet",
    "Exercice de communication d'urgence non réalisé dans l'année",
)


@dataclass(frozen=True)
class DemoLabelling:
    site_modules: pd.DataFrame  # staging columns of labelling_store "site_modules"
    events: pd.DataFrame  # "label_events"
    findings: pd.DataFrame  # "findings"


def _rng(seed: int, *keys) -> np.random.Generator:
    digest = hashlib.sha256(repr((seed, "label", *keys)).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def _months(day: date, n: float) -> date:
    return (pd.Timestamp(day) + pd.DateOffset(months=int(n))).date()


def _weekday(day: date) -> date:
    """Audits and COPILs happen on working days."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _copil(day: date) -> str:
    return f"COPIL du {day:%d/%m/%Y}"


class _Site:
    """Collects one site's rows."""

    def __init__(self, code: str, rng: np.random.Generator, engagements: dict[int, list[int]]):
        self.code, self.rng, self.engagements = code, rng, engagements
        self.modules, self.events, self.findings = [], [], []

    def stage(self, kind: str, on: date, **fields) -> date:
        on = _weekday(on)
        self.events.append({"site_code": self.code, "event_kind": kind, "event_date": pd.Timestamp(on),
                            "organisme": None, "report_date": None, "result": None, "referentiel_version": None,
                            "valid_until": None, "next_due": None, "comment": None, **fields})
        return on

    def findings_of(self, kind: str, on: date, retained: list[int], *, n_nc: int, closed_on: date | None) -> None:
        rng = self.rng
        for text in rng.choice(POINTS_FORTS, size=int(rng.integers(2, 5)), replace=False):
            self.findings.append(self._finding(kind, on, "point_fort", str(text), None, None, None))
        for text in rng.choice(PISTES, size=int(rng.integers(1, 3)), replace=False):
            self.findings.append(self._finding(kind, on, "piste_amelioration", str(text), None, None, None))
        for text in rng.choice(NON_CONFORMITES, size=n_nc, replace=False):
            module = int(rng.choice(retained))
            engagement = int(rng.choice(self.engagements.get(module) or [0])) or None
            self.findings.append(self._finding(kind, on, "non_conformite", str(text), module, engagement, closed_on))

    def _finding(self, kind, on, finding_kind, text, module, engagement, closed_on) -> dict:
        return {"site_code": self.code, "audit_kind": kind, "audit_date": pd.Timestamp(on),
                "finding_kind": finding_kind, "module": module, "engagement": engagement, "finding_text": text,
                "closed_on": None if closed_on is None else pd.Timestamp(closed_on)}


def _history(site: _Site, modules: list[int], today: date, profile: str) -> None:
    rng = site.rng
    # Engagement decided by a COPIL; the périmètre is retained the same day.
    if profile == "preparation":
        engaged = _months(today, -int(rng.integers(5, 14)))
    elif profile == "sub_prefecture":
        engaged = _months(today, -int(rng.integers(30, 50)))
    else:
        engaged = _months(today, -int(rng.integers(50, 84)))
    engaged = site.stage("engagement", engaged, comment=_copil(_weekday(engaged)))
    optional = [m for m in modules if m != 1]
    later = optional[-1] if optional and profile == "labelled" and rng.random() < 0.2 else None
    for module in modules:
        if module != later:
            site.modules.append({"site_code": site.code, "module": module, "decided_on": pd.Timestamp(engaged),
                                 "retained": True, "decision": _copil(engaged)})
    if later is not None:  # an optional module added at a later COPIL
        added = _weekday(_months(engaged, int(rng.integers(14, 24))))
        site.modules.append({"site_code": site.code, "module": later, "decided_on": pd.Timestamp(added),
                             "retained": True, "decision": _copil(added)})
    site.stage("auto_evaluation", _months(engaged, int(rng.integers(2, 4))))
    if profile == "preparation":
        if rng.random() < 0.6:
            site.stage("enquete_mystere", _months(today, -int(rng.integers(1, 3))))
        if rng.random() < 0.6:
            interne = site.stage("audit_interne", _months(today, -1), organisme=str(rng.choice(ORGANISMES)))
            site.findings_of("audit_interne", interne, modules, n_nc=int(rng.integers(1, 3)), closed_on=None)
            if rng.random() < 0.6:  # the external audit is booked
                site.stage("audit_externe", _months(today, int(rng.integers(1, 3))),
                           organisme=str(rng.choice(ORGANISMES)))
        return
    organisme = str(rng.choice(ORGANISMES))
    audit = _weekday(_months(engaged, int(rng.integers(9, 16))))
    refused_first = profile == "labelled" and rng.random() < 0.03
    while True:
        site.stage("enquete_mystere", _months(audit, -int(rng.integers(2, 5))))
        interne = site.stage("audit_interne", _months(audit, -int(rng.integers(1, 4))), organisme=organisme)
        site.findings_of("audit_interne", interne, modules, n_nc=int(rng.integers(1, 4)), closed_on=audit)
        report = audit + timedelta(days=int(rng.integers(8, 15)))
        result = "defavorable" if refused_first else "favorable"
        site.stage("audit_externe", audit, organisme=organisme, report_date=pd.Timestamp(report), result=result)
        decided = report + timedelta(days=int(rng.integers(7, 25)))
        if refused_first:
            retry = _weekday(_months(audit, 5))
            site.findings_of("audit_externe", audit, modules, n_nc=3, closed_on=retry)
            site.stage("decision", decided, organisme=organisme, result="defavorable")
            audit, refused_first = retry, False
            continue
        break
    valid_until = _months(decided, 12 * LABEL_YEARS)
    next_due = _months(decided, 12)
    decided = site.stage("decision", decided, organisme=organisme, result="favorable",
                         referentiel_version=REFERENTIEL_VERSION, valid_until=pd.Timestamp(valid_until),
                         next_due=pd.Timestamp(next_due))
    overdue = profile == "overdue"
    previous = audit
    # Follow-up audits every year, a renewal every three years, until today.
    while True:
        on = _weekday(next_due - timedelta(days=int(rng.integers(0, 30))))
        if on > today:
            if on <= today + timedelta(days=60) and rng.random() < 0.5:  # already booked
                site.stage("audit_suivi", on, organisme=organisme)
            break
        if overdue and on > today - timedelta(days=400):
            break  # the last follow-up audit has not happened
        # The audit whose next one would fall after the label's end renews it.
        kind = "renouvellement" if _months(on, 12) > valid_until else "audit_suivi"
        if rng.random() < 0.7:  # most sites keep a yearly mystery visit before their audit
            site.stage("enquete_mystere", on - timedelta(days=int(rng.integers(30, 90))))
        nc = int(rng.choice([0, 0, 1, 1, 2]))
        site.findings_of(kind, on, modules, n_nc=nc, closed_on=None)
        # The non-conformities of the previous audit were lifted by this one.
        for finding in site.findings:
            if (finding["finding_kind"] == "non_conformite" and finding["closed_on"] is None
                    and finding["audit_date"] == pd.Timestamp(previous)):
                finding["closed_on"] = pd.Timestamp(on)
        next_due = _months(on, 12)
        fields = {"organisme": organisme, "result": "favorable", "next_due": pd.Timestamp(next_due),
                  "report_date": pd.Timestamp(on + timedelta(days=int(rng.integers(8, 15))))}
        if kind == "renouvellement":
            valid_until = _months(on, 12 * LABEL_YEARS)
            fields.update(referentiel_version=REFERENTIEL_VERSION, valid_until=pd.Timestamp(valid_until))
        site.stage(kind, on, **fields)
        previous = on


def generate(prefectures: list[str], site_modules: dict[str, list[int]], engagements: pd.DataFrame, *,
             today: date, seed: int) -> DemoLabelling:
    """The history of every site of `site_modules` (site → modules retained) up to `today`.

    `prefectures` are the departmental prefectures (the others follow a sub-prefecture's
    shorter history); `engagements` the référentiel's engagements (module, engagement).
    """
    by_module = {int(m): sorted(map(int, g.engagement)) for m, g in engagements.groupby("module")}
    prefecture_set = set(prefectures)
    order = sorted(prefecture_set)
    pick = _rng(seed, "profiles")
    shuffled = list(pick.permutation(order))
    n = len(shuffled)
    # Roughly: 4 % still preparing, 6 % with an overdue follow-up audit, the others labelled.
    preparing = set(shuffled[: max(1, round(n * 0.04))])
    overdue = set(shuffled[len(preparing): len(preparing) + max(1, round(n * 0.06))])
    sites = []
    for code in sorted(site_modules):
        if code in prefecture_set:
            profile = "preparation" if code in preparing else "overdue" if code in overdue else "labelled"
        else:
            draw = _rng(seed, "sub", code).random()
            profile = "preparation" if draw < 0.2 else "overdue" if draw < 0.3 else "sub_prefecture"
        site = _Site(code, _rng(seed, code), by_module)
        _history(site, sorted(site_modules[code]), today, profile)
        sites.append(site)
    return DemoLabelling(
        site_modules=pd.DataFrame([row for s in sites for row in s.modules]),
        events=pd.DataFrame([row for s in sites for row in s.events]),
        findings=pd.DataFrame([row for s in sites for row in s.findings]),
    )
