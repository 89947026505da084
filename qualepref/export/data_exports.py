"""The filtered data of the caller's scope (indicator values, survey results, compliance) as files.

Every read goes through `sql.run` with the caller's scope, so an export never
holds a site the caller may not see. Headers are French; values stay typed
(numbers are numbers, dates are dates) for the spreadsheet.
"""

from __future__ import annotations

import io
from datetime import date

import pandas as pd
from openpyxl import Workbook

from qualepref import sql, vocab
from qualepref.access import SiteScope
from qualepref.export import tables
from qualepref.export.pack_data import end_of_month

INDICATOR_HEADERS = {
    "site_code": "Code préfecture",
    "site_name": "Préfecture",
    "indicator_code": "Code indicateur",
    "indicator_label": "Indicateur",
    "unit": "Unité",
    "period_start": "Début de période",
    "period_kind": "Type de période",
    "value": "Valeur",
    "target": "Cible",
    "comment": "Commentaire",
}
SURVEY_HEADERS = {
    "site_code": "Code préfecture",
    "site_name": "Préfecture",
    "campaign": "Campagne",
    "question_code": "Code question",
    "question_label": "Question",
    **vocab.SURVEY_ANSWERS.labels(),
    "n_expressed": "Avis exprimés",
    "satisfaction_rate": "Taux de satisfaction",
}
COMPLIANCE_HEADERS = {
    "site_code": "Code préfecture",
    "site_name": "Préfecture",
    "module": "Module",
    "engagement": "Engagement",
    "engagement_label": "Libellé de l'engagement",
    "assessed_on": "Date d'évaluation",
    "assessment_type": "Type d'évaluation",
    "result": "Résultat",
}
PERIOD_KINDS = vocab.PERIOD_KINDS.labels()
# File / sheet key → (query, French headers)
DATASETS = {
    "indicateurs": ("export_indicator_values", INDICATOR_HEADERS),
    "enquetes": ("export_survey_results", SURVEY_HEADERS),
    "conformite": ("export_compliance", COMPLIANCE_HEADERS),
}
SHEET_NAMES = {"indicateurs": "Indicateurs", "enquetes": "Enquêtes", "conformite": "Conformité"}
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def load(db, scope: SiteScope, start: date, end: date) -> dict[str, pd.DataFrame]:
    """The three datasets of the scope over months `start`…`end` (surveys: the campaigns of those years)."""
    start, end = min(start, end), max(start, end)
    indicators = sql.run(db, "export_indicator_values", scope=scope, start=start, end=end)
    indicators["period_kind"] = indicators.period_kind.map(PERIOD_KINDS).fillna(indicators.period_kind)
    surveys = sql.run(db, "export_survey_results", scope=scope, first_year=start.year, last_year=end.year)
    compliance = sql.run(db, "export_compliance", scope=scope, start=start, until=end_of_month(end))
    compliance["assessment_type"] = compliance.assessment_type.map(vocab.ASSESSMENT_TYPES.labels()).fillna(
        compliance.assessment_type)
    compliance["result"] = compliance.result.map(vocab.COMPLIANCE_RESULTS.labels()).fillna(compliance.result)
    for frame, column in ((indicators, "period_start"), (compliance, "assessed_on")):
        frame[column] = pd.to_datetime(frame[column])
    return {"indicateurs": indicators, "enquetes": surveys, "conformite": compliance}


def headers_of(name: str) -> dict[str, str]:
    return DATASETS[name][1]


def to_csv(frames: dict[str, pd.DataFrame], name: str) -> bytes:
    return tables.to_csv_bytes(frames[name], headers_of(name))


def to_xlsx(frames: dict[str, pd.DataFrame], *, source: str | None = None) -> bytes:
    """One workbook, one formatted sheet per dataset."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, frame in frames.items():
        ws = wb.create_sheet(SHEET_NAMES[name])
        tables.fill_sheet(ws, frame, headers_of(name), source=source,
                          percent_columns={"satisfaction_rate"} if name == "enquetes" else set())
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
