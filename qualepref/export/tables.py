"""Data exports of any page's table: csv (`;`, UTF-8 with BOM) and formatted xlsx.

Text a spreadsheet could take for a formula (`qualepref.formulas`: `=`, `+`, `-`, `@`, their
full-width forms, behind invisible characters too) is never evaluated: in CSV it gets an
apostrophe, in xlsx it is written as a text cell, unchanged. Numbers stay numbers.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from qualepref.formulas import looks_like_formula, neutralise, set_text

HEADER_FILL = PatternFill("solid", fgColor="000091")
__all__ = ["fill_sheet", "neutralise", "to_csv_bytes", "to_xlsx_bytes"]


def _is_text(column: pd.Series) -> bool:
    return column.dtype == object or pd.api.types.is_string_dtype(column)


def _safe(frame: pd.DataFrame, headers: dict[str, str] | None) -> pd.DataFrame:
    out = frame.rename(columns=headers or {}).copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for column in out.columns:
        if _is_text(out[column]):
            out[column] = out[column].map(neutralise)
    return out


def to_csv_bytes(frame: pd.DataFrame, headers: dict[str, str] | None = None) -> bytes:
    """`;`-separated, decimal comma, UTF-8 with BOM: opens cleanly in a French Excel."""
    return _safe(frame, headers).to_csv(sep=";", index=False, decimal=",").encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, headers: dict[str, str] | None = None, *,
                  sheet: str = "Données", source: str | None = None) -> bytes:
    """One formatted sheet: bold header in bleu France, frozen first row, sized columns."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    fill_sheet(ws, frame, headers, source=source)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def fill_sheet(ws, frame: pd.DataFrame, headers: dict[str, str] | None = None, *,
               source: str | None = None, percent_columns=()) -> None:
    """Write `frame` into worksheet `ws`: French headers, typed cells, dates as dd/mm/yyyy.

    `percent_columns` (original column names) hold fractions shown as `82,5 %`. Texts are written
    as they are, as text cells (`formulas.set_text`): never a formula, and a label read back
    from the file is the label.
    """
    shown = frame.rename(columns=headers or {})
    percent_at = {i for i, c in enumerate(frame.columns, start=1) if c in set(percent_columns)}
    for index, header in enumerate(shown.columns, start=1):
        cell = ws.cell(row=1, column=index)
        set_text(cell, str(header))
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in shown.itertuples(index=False):
        ws.append([_cell(v) for v in row])
    # openpyxl made a formula of every text starting with `=`: rewrite the risky ones as text.
    for index, column in enumerate(shown.columns, start=1):
        values = shown[column]
        if _is_text(values):
            for offset in np.flatnonzero(values.map(looks_like_formula).to_numpy(dtype=bool)):
                set_text(ws.cell(row=int(offset) + 2, column=index), values.iloc[offset])
    for index, column in enumerate(shown.columns, start=1):
        width = max([len(str(column)), *(len(str(v)) for v in shown[column].head(200))]) + 2
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = min(max(width, 8), 60)
        number_format = None
        if pd.api.types.is_datetime64_any_dtype(shown[column]):
            number_format = "DD/MM/YYYY"
        elif index in percent_at:
            number_format = "0.0 %"
        if number_format:
            for cell in ws[letter][1:]:
                cell.number_format = number_format
    ws.freeze_panes = "A2"
    if len(shown.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(shown.columns))}{len(shown) + 1}"
    if source:
        ws.append([])
        ws.append([source])
        set_text(ws.cell(row=ws.max_row, column=1), source)


def _cell(value):
    """A DataFrame value as openpyxl wants it: None for missing, datetime for timestamps, numpy → Python."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return value.item()
    return value
