"""Import kind `cibles`: targets loaded in bulk (issue 15).

One row per target, headers (case and accents ignored): `Indicateur` (label, code or synonym; « Seuil de
satisfaction » or `SATISFACTION` for the satisfaction threshold), `Site` (empty = the national target),
`Cible`, `Strict` (oui/non; empty = non), `Valable du` (empty = since always), `Valable au` (empty = until
further notice), `Source`.

Who loads what: a national scope (the administrator, the command line) loads national targets and sites'
own targets, in force from their date; a local scope (a référent) loads its own sites' targets as
*proposals* that wait for an administrator's approval (`qualepref.target_edit`), and no national target.
Every error names its sheet, row and column with the value found; nothing is written while one remains;
the same file imported twice changes nothing. The whole file is written in one transaction with its
upload record and one line of the change log.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from qualepref import sql, target_edit, targets
from qualepref.ingest import parse
from qualepref.ingest.issues import Issue, shown
from qualepref.ingest.readers import Sheet
from qualepref.ingest.text import column_name, find_header, norm

KIND = "cibles"
BATCH = "targets"
HEADER_ROWS_SCANNED = 15
HEADERS = {
    "indicator": ("Indicateur", "code indicateur", "indicateur ou seuil"),
    "site": ("Site", "prefecture", "code site"),
    "target": ("Cible", "valeur cible"),
    "strict": ("Strict", "stricte", "borne stricte"),
    "valid_from": ("Valable du", "valable a partir du", "en vigueur du", "date d'effet"),
    "valid_to": ("Valable au", "en vigueur au", "jusqu'au"),
    "source": ("Source", "source de la cible"),
}
_KEYS = {role: {norm(n) for n in names} for role, names in HEADERS.items()}
_YES = {"oui", "o", "yes", "vrai", "true", "1", "x", "stricte", "strict"}
_NO = {"non", "n", "no", "faux", "false", "0", ""}
SATISFACTION_WORDS = {norm(w) for w in ("SATISFACTION", "Seuil de satisfaction", "Satisfaction",
                                        "Taux de satisfaction", "Seuil de satisfaction (taux de satisfaits)")}
COLUMNS = ["indicator_code", "site_code", "target", "direction", "strict", "valid_from", "valid_to", "source",
           "status"]


def detect(sheet: Sheet) -> tuple[int, dict[str, int]] | None:
    """(header row, role → column) of a targets sheet: `Indicateur`, `Cible`, `Valable du`, and `Strict` or
    `Source` (a tableau de bord may have « Cible » and « Source » columns too: a date of effect tells targets
    apart)."""
    return find_header(sheet, _KEYS, lambda roles: {"indicator", "target", "valid_from"} <= roles
                       and bool({"strict", "source"} & roles), HEADER_ROWS_SCANNED)


def recognises(sheets: list[Sheet]) -> bool:
    data = [s for s in sheets if s.n_rows and not s.hidden]
    return bool(data) and all(detect(s) is not None for s in data)


@dataclass
class Context:
    indicator_match: object  # ItemMatcher.match
    site_match: object  # SiteMatcher.match
    scope_codes: frozenset[str]
    national: bool  # a national scope: national targets allowed, local ones approved at once
    directions: dict[str, str | None]
    units: dict[str, str]


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or not str(value).strip()


def check_rows(sheet: Sheet, header: int, roles: dict[str, int], ctx: Context
               ) -> tuple[list[dict], list[Issue], int]:
    """(records, errors, rows read) of one sheet."""
    sheet_name = None if sheet.is_csv else sheet.name
    names = {role: column_name(sheet.columns[j] if sheet.columns else j, sheet.cell(header, j))
             for role, j in roles.items()}
    errors, records = [], []
    seen: dict[tuple, int] = {}
    n_read = 0

    def issue(row, role, value, message):
        return Issue(sheet_name, row, names.get(role) if role else None, shown(value), message)

    for i in range(header + 1, sheet.n_rows):
        values = {role: sheet.cell(i, j) for role, j in roles.items()}
        if all(_blank(v) for v in values.values()):
            continue
        n_read += 1
        row = sheet.row_number(i)
        before = len(errors)
        raw = values.get("indicator")
        code = None
        if _blank(raw):
            errors.append(issue(row, "indicator", raw, "Indicateur manquant."))
        elif norm(raw) in SATISFACTION_WORDS:
            code = targets.SATISFACTION
        else:
            code = ctx.indicator_match(raw)
            if code is None:
                errors.append(issue(row, "indicator", raw, "Indicateur inconnu du référentiel (libellé, code ou "
                                                           "synonyme ; « Seuil de satisfaction » pour le seuil)."))
            elif ctx.directions.get(code) not in target_edit.DIRECTIONS:
                errors.append(issue(row, "indicator", raw, "Indicateur de suivi sans sens d'amélioration : il n'a "
                                                           "pas de cible (l'administrateur lui donne d'abord un "
                                                           "sens)."))
                code = None
        raw = values.get("site")
        site = None
        if not _blank(raw):
            site = ctx.site_match(raw)
            if site is None:
                errors.append(issue(row, "site", raw, "Site inconnu : écrivez son code (« 87 », « 87011 »), son "
                                                      "nom ou sa ville ; laissez vide pour la cible nationale."))
            elif site not in ctx.scope_codes:
                errors.append(issue(row, "site", raw, f"Le site {site} n'est pas dans votre périmètre."))
        elif not ctx.national:
            errors.append(issue(row, "site", raw, "Une cible nationale (site vide) est fixée par l'administrateur : "
                                                  "indiquez votre préfecture."))
        raw = values.get("target")
        value = None
        if _blank(raw):
            errors.append(issue(row, "target", raw, "Cible manquante (un nombre)."))
        else:
            try:
                value = target_edit.parse_value(raw)
            except target_edit.TargetError:
                errors.append(issue(row, "target", raw, "La cible n'est pas un nombre."))
        raw = values.get("strict")
        strict = False
        if not _blank(raw):
            word = norm(raw)
            if word in _YES:
                strict = True
            elif word not in _NO:
                errors.append(issue(row, "strict", raw, "« oui » ou « non » (oui : « en moins de … », la valeur "
                                                        "cible elle-même manque la cible)."))
        days = {}
        for role, label in (("valid_from", "Valable du"), ("valid_to", "Valable au")):
            raw = values.get(role)
            days[role] = None
            if not _blank(raw):
                day = parse.parse_date(raw)
                if day is None:
                    errors.append(issue(row, role, raw, f"« {label} » n'est pas une date (jj/mm/aaaa)."))
                else:
                    days[role] = day
        raw = values.get("source")
        source = None if _blank(raw) else " ".join(str(raw).split())
        if len(errors) == before and code is not None:
            change = target_edit.TargetChange(code, site, value, ctx.directions.get(code) or "hausse", strict,
                                              days["valid_from"], days["valid_to"], source)
            unit = "%" if code == targets.SATISFACTION else ctx.units.get(code)
            for problem in target_edit.validate(change, indicator_codes=[code], unit=unit):
                role = ("valid_to" if "fin de validité" in problem else "source" if "source" in problem.lower()
                        else "target")
                errors.append(issue(row, role, values.get(role), problem))
            key = (code, site, days["valid_from"])
            if key in seen:
                errors.append(issue(row, "valid_from", values.get("valid_from"),
                                    f"Même indicateur, même site et même date d'effet que la ligne {seen[key]} : "
                                    "gardez une seule ligne."))
            seen.setdefault(key, row)
        if len(errors) == before and code is not None:
            records.append({"indicator_code": code, "site_code": site, "target": value,
                            "direction": ctx.directions.get(code) or "hausse", "strict": strict,
                            "valid_from": days["valid_from"], "valid_to": days["valid_to"], "source": source,
                            "status": "approved" if ctx.national else "proposed"})
    return records, errors, n_read


def analyse(plan, sheets: list[Sheet], *, db, scope, ref):
    """Fill `plan` for a targets file: checks, the batch and what writing it would do."""
    indicators = sql.run(db, "referentiel_indicators", scope=scope)
    directions = {c: (d if isinstance(d, str) else None) for c, d in zip(indicators.indicator_code,
                                                                        indicators.direction, strict=True)}
    directions[targets.SATISFACTION] = "hausse"
    ctx = Context(indicator_match=ref.indicators.match, site_match=ref.sites.match,
                  scope_codes=frozenset(scope.site_codes), national=scope.national, directions=directions,
                  units=dict(ref.units))
    plan.kind = KIND
    records = []
    found = False
    for sheet in sheets:
        if sheet.n_rows == 0 or sheet.hidden:
            continue
        detected = detect(sheet)
        if detected is None:
            plan.warnings.append(Issue(None if sheet.is_csv else sheet.name, None, None, None,
                                       "Feuille ignorée : ce ne sont pas des cibles (colonnes « Indicateur », "
                                       "« Site », « Cible », « Strict », « Valable du », « Valable au », "
                                       "« Source » attendues)."))
            continue
        found = True
        recs, errors, n_read = check_rows(sheet, *detected, ctx)
        plan.errors.extend(errors)
        plan.rows_read += n_read
        plan.layouts.append((None if sheet.is_csv else sheet.name, "cibles"))
        records += recs
    if not found and not plan.errors:
        plan.errors.append(Issue(None, None, None, None,
                                 "Aucune cible reconnue : vérifiez les en-têtes (« Indicateur », « Site », « Cible », "
                                 "« Strict », « Valable du », « Valable au », « Source ») ou partez du modèle des "
                                 "cibles de la page Import."))
    elif not records and not plan.errors:
        plan.errors.append(Issue(None, None, None, None, "Le fichier ne contient aucune cible."))
    batch = pd.DataFrame(records, columns=COLUMNS)
    plan.site_codes = sorted({s for s in batch.site_code.dropna()})
    days = [d for d in batch.valid_from.dropna()]
    plan.period_min = min(days).strftime("%Y-%m-%d") if days else None
    plan.period_max = max(days).strftime("%Y-%m-%d") if days else None
    plan.batches = {BATCH: batch} if records else {}
    if plan.errors:
        return plan
    with db.cursor() as cur:
        plan.counts[BATCH] = target_edit.preview_import(cur, batch)
    if plan.changes_nothing:
        plan.already_imported = not sql.run(db, "ingest_uploads_by_sha", scope=scope, sha256=plan.sha256).empty
    return plan
