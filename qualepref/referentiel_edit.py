"""Administrator's changes to the référentiel (indicators, engagements, survey questions, synonyms):
validation (pure) and audited writes.

Each write runs in one transaction with its audit-log line (who, when,
before, after); the transaction bumps the data version, so every cached
page and the importer see the change at once.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass
from datetime import date

import pandas as pd

from qualepref import sql, target_edit, targets
from qualepref.access import Principal, administrator_name
from qualepref.auth import record_audit, utcnow
from qualepref.formulas import label_problem

DIRECTIONS = ("baisse", "hausse")
FREQUENCIES = ("mensuelle", "trimestrielle", "évènement")
_CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,39}$")


class ReferentielError(ValueError):
    """A change refused by validation; the message is meant for the user (French)."""


@dataclass(frozen=True)
class Indicator:
    indicator_code: str
    indicator_label: str
    module: int
    engagement: int | None
    unit: str
    direction: str | None
    target: float | None
    frequency: str
    target_source: str | None


@dataclass(frozen=True)
class Engagement:
    module: int
    engagement: int
    theme: str | None
    engagement_label: str


@dataclass(frozen=True)
class Question:
    question_code: str
    question_label: str
    module: int
    engagement: int | None


def parse_target(text) -> float | None:
    """`4,5`, `4.5`, `10 %` → float; empty → None; anything else → ReferentielError."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    if isinstance(text, int | float):
        return float(text)
    cleaned = str(text).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    cleaned = cleaned.rstrip("%").replace(",", ".")
    if not cleaned:
        return None
    try:
        value = float(cleaned)
    except ValueError:
        raise ReferentielError(f"La cible « {text} » n'est pas un nombre.") from None
    if not math.isfinite(value):
        raise ReferentielError(f"La cible « {text} » n'est pas un nombre.")
    return value


def _norm(text: str) -> str:
    return " ".join(str(text).lower().split())


def _none_if_blank(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value.strip() if isinstance(value, str) else value


def _spreadsheet_safe(*fields: tuple[str, str | None]) -> list[str]:
    """Labels are written in the import template and every export: none may read as a formula."""
    return [problem for what, text in fields if (problem := label_problem(text, what))]


def validate_indicator(ind: Indicator, *, indicators: pd.DataFrame, modules: pd.DataFrame,
                       engagements: pd.DataFrame, new: bool) -> list[str]:
    """Problems with an indicator (French messages); empty when valid."""
    problems = []
    codes = set(indicators.indicator_code)
    if new:
        if not _CODE.match(ind.indicator_code or ""):
            problems.append("Le code doit être en majuscules, chiffres et « _ » (ex. DELAI_VISA), "
                            "2 à 40 caractères, commençant par une lettre.")
        elif ind.indicator_code in codes:
            problems.append(f"Le code {ind.indicator_code} existe déjà.")
    elif ind.indicator_code not in codes:
        problems.append(f"Indicateur inconnu : {ind.indicator_code}.")
    if not (ind.indicator_label or "").strip():
        problems.append("Le libellé est obligatoire.")
    else:
        others = indicators[indicators.indicator_code != ind.indicator_code]
        if _norm(ind.indicator_label) in {_norm(x) for x in others.indicator_label}:
            problems.append(f"Le libellé « {ind.indicator_label} » est déjà celui d'un autre indicateur "
                            "(l'import ne saurait pas lequel choisir).")
    if ind.module not in set(modules.module.astype(int)):
        problems.append(f"Le module {ind.module} n'existe pas.")
    elif ind.engagement is not None:
        in_module = engagements[engagements.module.astype(int) == ind.module]
        if ind.engagement not in set(in_module.engagement.astype(int)):
            problems.append(f"L'engagement {ind.engagement} n'existe pas dans le module {ind.module}.")
    if not (ind.unit or "").strip():
        problems.append("L'unité est obligatoire (ex. jours, %, minutes, nombre).")
    problems += _spreadsheet_safe(("Le libellé", ind.indicator_label), ("L'unité", ind.unit),
                                  ("La source de la cible", ind.target_source))
    if ind.direction not in (None, *DIRECTIONS):
        problems.append("Le sens doit être « baisse », « hausse » ou vide.")
    if ind.frequency not in FREQUENCIES:
        problems.append("La fréquence doit être " + ", ".join(f"« {f} »" for f in FREQUENCIES) + ".")
    if ind.target is not None:
        if ind.direction is None:
            problems.append("Une cible demande un sens (baisse ou hausse) : sans sens, l'indicateur est "
                            "suivi sans cible.")
        if ind.target < 0:
            problems.append("La cible ne peut pas être négative.")
        if (ind.unit or "").strip() == "%" and ind.target > 100:
            problems.append("Une cible en pourcentage est comprise entre 0 et 100 (en points).")
    return problems


def validate_engagement(eng: Engagement, *, modules: pd.DataFrame, engagements: pd.DataFrame,
                        new: bool) -> list[str]:
    problems = []
    if eng.module not in set(modules.module.astype(int)):
        problems.append(f"Le module {eng.module} n'existe pas.")
    if eng.engagement is None or eng.engagement < 1:
        problems.append("Le numéro d'engagement est un entier positif.")
    existing = {(int(m), int(e)) for m, e in zip(engagements.module, engagements.engagement, strict=True)}
    key = (eng.module, eng.engagement)
    if new and key in existing:
        problems.append(f"L'engagement {eng.engagement} existe déjà dans le module {eng.module}.")
    if not new and key not in existing:
        problems.append(f"L'engagement {eng.engagement} du module {eng.module} n'existe pas.")
    if not (eng.engagement_label or "").strip():
        problems.append("Le libellé de l'engagement est obligatoire.")
    problems += _spreadsheet_safe(("Le libellé", eng.engagement_label), ("Le thème", eng.theme))
    return problems


def validate_synonym(item_kind: str, item_code: str, synonym: str, *, indicators: pd.DataFrame,
                     questions: pd.DataFrame, synonyms: pd.DataFrame) -> list[str]:
    problems = []
    if item_kind not in ("indicateur", "question"):
        return ["Le type doit être « indicateur » ou « question »."]
    items = indicators.indicator_code if item_kind == "indicateur" else questions.question_code
    if item_code not in set(items):
        problems.append(f"{item_kind.capitalize()} inconnu : {item_code}.")
    if not (synonym or "").strip():
        problems.append("Le synonyme est vide.")
        return problems
    labels = indicators.indicator_label if item_kind == "indicateur" else questions.question_label
    taken = {_norm(x) for x in labels} | {
        _norm(s) for k, s in zip(synonyms.item_kind, synonyms.synonym, strict=True) if k == item_kind
    }
    problems += _spreadsheet_safe(("Le synonyme", synonym))
    if _norm(synonym) in taken:
        problems.append(f"« {synonym.strip()} » désigne déjà un {item_kind} (libellé ou synonyme).")
    return problems


def validate_question(question: Question, *, questions: pd.DataFrame, modules: pd.DataFrame,
                      engagements: pd.DataFrame, synonyms: pd.DataFrame, new: bool) -> list[str]:
    """Problems with a survey question (French messages); empty when valid.

    Its label is what the importer matches a column of answers or a `Question` cell against:
    it may be neither another question's label nor a synonym of another question.
    """
    problems = []
    codes = set(questions.question_code)
    if new:
        if not _CODE.match(question.question_code or ""):
            problems.append("Le code doit être en majuscules, chiffres et « _ » (ex. ACCUEIL_RDV), "
                            "2 à 40 caractères, commençant par une lettre.")
        elif question.question_code in codes:
            problems.append(f"Le code {question.question_code} existe déjà.")
    elif question.question_code not in codes:
        problems.append(f"Question inconnue : {question.question_code}.")
    label = (question.question_label or "").strip()
    if not label:
        problems.append("Le libellé de la question est obligatoire.")
    else:
        others = questions[questions.question_code != question.question_code]
        taken = {_norm(x) for x in others.question_label} | {
            _norm(s) for k, c, s in zip(synonyms.item_kind, synonyms.item_code, synonyms.synonym, strict=True)
            if k == "question" and c != question.question_code}
        if _norm(label) in taken:
            problems.append(f"« {label} » désigne déjà une autre question (libellé ou synonyme) : l'import ne "
                            "saurait pas laquelle choisir.")
    problems += _spreadsheet_safe(("Le libellé", question.question_label))
    if question.module not in set(modules.module.astype(int)):
        problems.append(f"Le module {question.module} n'existe pas.")
    elif question.engagement is not None:
        in_module = engagements[engagements.module.astype(int) == question.module]
        if question.engagement not in set(in_module.engagement.astype(int)):
            problems.append(f"L'engagement {question.engagement} n'existe pas dans le module {question.module}.")
    return problems


def clean_question(**fields) -> Question:
    """A `Question` from form fields (code upper-cased, blank engagement → None)."""
    engagement = _none_if_blank(fields.get("engagement"))
    return Question(
        question_code=(fields.get("question_code") or "").strip().upper(),
        question_label=" ".join((fields.get("question_label") or "").split()),
        module=int(fields["module"]),
        engagement=None if engagement is None else int(engagement),
    )


def clean_indicator(**fields) -> Indicator:
    """An `Indicator` from form fields (blank → None, target parsed)."""
    engagement = _none_if_blank(fields.get("engagement"))
    return Indicator(
        indicator_code=(fields.get("indicator_code") or "").strip().upper(),
        indicator_label=(fields.get("indicator_label") or "").strip(),
        module=int(fields["module"]),
        engagement=None if engagement is None else int(engagement),
        unit=(fields.get("unit") or "").strip(),
        direction=_none_if_blank(fields.get("direction")),
        target=parse_target(fields.get("target")),
        frequency=(fields.get("frequency") or "").strip(),
        target_source=_none_if_blank(fields.get("target_source")),
    )


def _reference(cur) -> dict[str, pd.DataFrame]:
    def frame(name):
        return cur.execute(sql.query_text(name)).df()

    return {"indicators": frame("referentiel_indicators"), "modules": frame("referentiel_modules"),
            "engagements": frame("referentiel_engagements")}


def _row(frame: pd.DataFrame, mask) -> dict | None:
    found = frame[mask]
    if found.empty:
        return None
    return {k: (None if pd.isna(v) else (v.item() if hasattr(v, "item") else v))
            for k, v in found.iloc[0].to_dict().items()}


def first_of_month(day: date | None = None) -> date:
    day = day or utcnow().date()
    return date(day.year, day.month, 1)


def save_indicator(db, ind: Indicator, *, actor: Principal | str, new: bool, target_from: date | None = None) -> None:
    """Add or change an indicator. A changed target or direction is a new national target from `target_from`
    (default: the first day of the current month; a new indicator's target is in force since always): the
    periods before it keep their target and their verdicts (qualepref.targets)."""
    actor = administrator_name(actor)  # a discovery visitor is refused before anything is read
    with db.transaction() as cur:
        ref = _reference(cur)
        problems = validate_indicator(ind, new=new, **ref)
        if problems:
            raise ReferentielError(" ".join(problems))
        before = None if new else _row(ref["indicators"], ref["indicators"].indicator_code == ind.indicator_code)
        sql.execute(cur, "referentiel_insert_indicator" if new else "referentiel_update_indicator", **asdict(ind))
        changed = new or (before["target"], before["direction"]) != (ind.target, ind.direction)
        if changed:
            day = None if new else (target_from or first_of_month())
            change = target_edit.TargetChange(
                indicator_code=ind.indicator_code, site_code=None, target=ind.target,
                direction=ind.direction or "baisse", strict=False, valid_from=day,
                source=ind.target_source or targets.NATIONAL_SOURCE)
            if ind.target is None:
                target_edit.make_room(cur, change)  # no target from that day on
                target_edit.after_change(cur, change)
            else:
                target_edit.write_approved(cur, change, actor=actor)
        record_audit(cur, actor=actor, action="ajout" if new else "modification", entity="indicateur",
                     key=ind.indicator_code, before=before, after=asdict(ind), now=utcnow())


def save_engagement(db, eng: Engagement, *, actor: Principal | str, new: bool) -> None:
    actor = administrator_name(actor)  # a discovery visitor is refused before anything is read
    with db.transaction() as cur:
        ref = _reference(cur)
        problems = validate_engagement(eng, modules=ref["modules"], engagements=ref["engagements"], new=new)
        if problems:
            raise ReferentielError(" ".join(problems))
        engs = ref["engagements"]
        before = None if new else _row(engs, (engs.module == eng.module) & (engs.engagement == eng.engagement))
        if before:
            before.pop("module_name", None)
        sql.execute(cur, "referentiel_insert_engagement" if new else "referentiel_update_engagement", **asdict(eng))
        record_audit(cur, actor=actor, action="ajout" if new else "modification", entity="engagement",
                     key=f"{eng.module}.{eng.engagement}", before=before, after=asdict(eng), now=utcnow())


def confirm_target(db, indicator_code: str, *, actor: Principal | str) -> None:
    """An administrator confirms an indicative target: from now on it is an *Objectif* (poster included)."""
    actor = administrator_name(actor)  # a discovery visitor is refused before anything is read
    with db.transaction() as cur:
        ref = _reference(cur)["indicators"]
        before = _row(ref, ref.indicator_code == indicator_code)
        if before is None:
            raise ReferentielError(f"Indicateur inconnu : {indicator_code}.")
        if not before.get("target_indicative"):
            raise ReferentielError("Cette cible n'est pas indicative : rien à confirmer.")
        sql.execute(cur, "referentiel_confirm_target", indicator_code=indicator_code)
        sql.execute(cur, "target_confirm_national", indicator_code=indicator_code)
        record_audit(cur, actor=actor, action="confirmation de la cible", entity="indicateur", key=indicator_code,
                     before={"target": before["target"], "target_indicative": True},
                     after={"target": before["target"], "target_indicative": False}, now=utcnow())


def save_question(db, question: Question, *, actor: Principal | str, new: bool) -> None:
    """Add a survey question, or change the label or engagement of one (its module and code stay)."""
    actor = administrator_name(actor)  # a discovery visitor is refused before anything is read
    with db.transaction() as cur:
        ref = _reference(cur)
        questions = cur.execute(sql.query_text("referentiel_questions")).df()
        synonyms = cur.execute(sql.query_text("ingest_synonyms")).df()
        problems = validate_question(question, questions=questions, modules=ref["modules"],
                                     engagements=ref["engagements"], synonyms=synonyms, new=new)
        before = None if new else _row(questions, questions.question_code == question.question_code)
        if before and int(before["module"]) != question.module:
            problems.append("Le module d'une question existante ne change pas : ajoutez une nouvelle question.")
        if problems:
            raise ReferentielError(" ".join(problems))
        sql.execute(cur, "referentiel_insert_question" if new else "referentiel_update_question", **asdict(question))
        record_audit(cur, actor=actor, action="ajout" if new else "modification", entity="question",
                     key=question.question_code, before=before, after=asdict(question), now=utcnow())


def add_synonym(db, item_kind: str, item_code: str, synonym: str, *, actor: Principal | str) -> None:
    actor = administrator_name(actor)  # a discovery visitor is refused before anything is read
    with db.transaction() as cur:
        ref = _reference(cur)
        questions = cur.execute(sql.query_text("referentiel_questions")).df()
        synonyms = cur.execute(sql.query_text("ingest_synonyms")).df()
        problems = validate_synonym(item_kind, item_code, synonym, indicators=ref["indicators"],
                                    questions=questions, synonyms=synonyms)
        if problems:
            raise ReferentielError(" ".join(problems))
        sql.execute(cur, "referentiel_insert_synonym", item_kind=item_kind, item_code=item_code,
                    synonym=synonym.strip())
        record_audit(cur, actor=actor, action="ajout", entity="synonyme", key=f"{item_kind}:{item_code}",
                     before=None, after={"synonyme": synonym.strip()}, now=utcnow())
