"""Writers of files in the accepted layouts, for tests and the benchmark.

`write_long_xlsx(frame, path)` exports `v_indicator_values` rows (site_code,
indicator_code, period_start, period_kind, value) as the template's long
layout; the other writers produce the other layouts of DESIGN §4.
"""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import xlsxwriter

from qualepref import vocab

LONG_HEADERS = ("Site", "Indicateur", "Période", "Valeur")
LEVEL_HEADERS = vocab.SURVEY_ANSWERS.labels()
MONTH_ABBR = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")


def period_text(start, kind: str = "month") -> str:
    """`2025-01` (month), `T1 2025` (quarter), `2025` (year)."""
    ts = pd.Timestamp(start)
    if kind == "quarter":
        return f"T{(ts.month - 1) // 3 + 1} {ts.year}"
    if kind == "year":
        return str(ts.year)
    return f"{ts.year}-{ts.month:02d}"


def _period_texts(frame: pd.DataFrame) -> pd.Series:
    starts = pd.to_datetime(frame["period_start"])
    texts = starts.dt.strftime("%Y-%m")
    kinds = frame["period_kind"] if "period_kind" in frame else pd.Series("month", index=frame.index)
    quarter = kinds.eq("quarter")
    quarters = ((starts[quarter].dt.month - 1) // 3 + 1).astype(str)
    texts[quarter] = "T" + quarters + " " + starts[quarter].dt.year.astype(str)
    year = kinds.eq("year")
    texts[year] = starts[year].dt.year.astype(str)
    return texts


def write_long_xlsx(frame: pd.DataFrame, path, *, sheet: str = "Indicateurs") -> Path:
    """The long layout (Site, Indicateur, Période, Valeur), one row per value; NaN → `NC`."""
    path = Path(path)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = workbook.add_worksheet(sheet)
    ws.write_row(0, 0, LONG_HEADERS)
    sites = frame["site_code"].astype(str).tolist()
    items = frame["indicator_code"].astype(str).tolist()
    periods = _period_texts(frame).tolist()
    values = frame["value"].tolist()
    for i, (site, item, period, value) in enumerate(zip(sites, items, periods, values, strict=True), start=1):
        ws.write_string(i, 0, site)
        ws.write_string(i, 1, item)
        ws.write_string(i, 2, period)
        if value is None or value != value:
            ws.write_string(i, 3, "NC")
        else:
            ws.write_number(i, 3, float(value))
    workbook.close()
    return path


def write_long_csv(frame: pd.DataFrame, path, *, sep: str = ";", encoding: str = "utf-8",
                   decimal: str = ",", headers=LONG_HEADERS) -> Path:
    """The long layout as CSV (`encoding` "utf-8-sig" writes a BOM, "cp1252" Windows-1252)."""
    path = Path(path)
    periods = _period_texts(frame)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=sep)
        writer.writerow(headers)
        for site, item, period, value in zip(frame["site_code"], frame["indicator_code"], periods, frame["value"],
                                             strict=True):
            text = "NC" if value != value else (f"{value:g}".replace(".", decimal))
            writer.writerow([site, item, period, text])
    return path


def write_rows_xlsx(path, sheets: dict[str, list[list]], *, percent_cells: dict[str, set] | None = None,
                    date_format: str = "dd/mm/yyyy") -> Path:
    """Free-form sheets: rows of Python values (dates become date cells).

    `percent_cells` maps a sheet to (row index, column index) pairs written
    with a percentage number format (0,82 shown as 82 %).
    """
    path = Path(path)
    workbook = xlsxwriter.Workbook(str(path))
    pct = workbook.add_format({"num_format": "0.0%"})
    day = workbook.add_format({"num_format": date_format})
    for name, rows in sheets.items():
        ws = workbook.add_worksheet(name)
        marked = (percent_cells or {}).get(name, set())
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value is None:
                    continue
                if (i, j) in marked:
                    ws.write_number(i, j, value, pct)
                elif isinstance(value, datetime | date):
                    ws.write_datetime(i, j, value if isinstance(value, datetime)
                                      else datetime(value.year, value.month, value.day), day)
                elif isinstance(value, int | float):
                    ws.write_number(i, j, value)
                else:
                    ws.write_string(i, j, str(value))
    workbook.close()
    return path


def write_wide_xlsx(frame: pd.DataFrame, path, *, title: str | None = None, header: str = "abbr",
                    labels: dict[str, str] | None = None, sheet: str = "Tableau de bord") -> Path:
    """One site's wide tableau de bord: one row per indicator, one column per month.

    `header`: "abbr" (`janv.-25`), "date" (real date cells shown `mmm-yy`) or
    "iso" (`2025-01`). `labels` maps codes to the text of the first column.
    """
    frame = frame.copy()
    frame["period_start"] = pd.to_datetime(frame["period_start"])
    months = sorted(frame["period_start"].unique())
    table = frame.pivot_table(index="indicator_code", columns="period_start", values="value", aggfunc="first",
                              dropna=False)
    rows: list[list] = []
    if title:
        rows += [[title], []]
    head: list = ["Indicateur", "Cible"]
    for m in months:
        ts = pd.Timestamp(m)
        if header == "abbr":
            head.append(f"{MONTH_ABBR[ts.month - 1]}-{ts.year % 100:02d}")
        elif header == "date":
            head.append(ts.to_pydatetime())
        else:
            head.append(f"{ts.year}-{ts.month:02d}")
    rows.append(head)
    for code, values in table.iterrows():
        label = (labels or {}).get(code, code)
        rows.append([label, None] + [None if pd.isna(v) else float(v) for v in values])
    return write_rows_xlsx(path, {sheet: rows}, date_format="mmm-yy")


def write_survey_xlsx(frame: pd.DataFrame, path, *, sheet: str = "Enquête") -> Path:
    """Aggregated survey: Site, Campagne, Question, then one column per level."""
    rows = [["Site", "Campagne", "Question", *LEVEL_HEADERS.values()]]
    for rec in frame.to_dict("records"):
        campaign = str(rec["campaign"])
        rows.append([rec["site_code"], int(campaign) if campaign.isdigit() else campaign, rec["question_code"],
                     *(int(rec[level]) for level in LEVEL_HEADERS)])
    return write_rows_xlsx(path, {sheet: rows})


def write_raw_survey_xlsx(path, questions: list[str], answers: list[list], *, stamps: list | None = None,
                          sheet: str = "Réponses") -> Path:
    """Raw export: one row per respondent; `answers[i][k]` answers `questions[k]` (text, number or None)."""
    rows = [(["Horodatage"] if stamps else []) + ["Motif de votre venue", *questions, "Vos suggestions"]]
    for i, answer in enumerate(answers):
        rows.append(([stamps[i]] if stamps else []) + ["Renseignement", *answer, None])
    return write_rows_xlsx(path, {sheet: rows}, date_format="yyyy-mm-dd hh:mm:ss")


def write_compliance_xlsx(frame: pd.DataFrame, path, *, dates: str = "date", sheet: str = "Conformité") -> Path:
    """Compliance: Site, Module, Engagement, Date d'évaluation (date cells or `jj/mm/aaaa` text), Type, Résultat."""
    rows = [["Site", "Module", "Engagement", "Date d'évaluation", "Type", "Résultat"]]
    for rec in frame.to_dict("records"):
        day = pd.Timestamp(rec["assessed_on"]).date()
        rows.append([rec["site_code"], int(rec["module"]), int(rec["engagement"]),
                     day if dates == "date" else day.strftime("%d/%m/%Y"),
                     vocab.ASSESSMENT_TYPES.label(rec["assessment_type"]),
                     vocab.COMPLIANCE_RESULTS.label(rec["result"])])
    return write_rows_xlsx(path, {sheet: rows})
