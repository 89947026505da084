"""Data exports of any page's table: csv (`;`, UTF-8 with BOM) and formatted xlsx.

Text cells starting with `=`, `+`, `-`, `@` (or a tab / carriage return) are
prefixed with an apostrophe so a spreadsheet never evaluates them as
formulas (CSV/formula injection); numbers stay numbers.
"""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="000091")


def neutralise(value):
    """Defuse a text cell a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _safe(frame: pd.DataFrame, headers: dict[str, str] | None) -> pd.DataFrame:
    out = frame.rename(columns=headers or {}).copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
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

    `percent_columns` (original column names) hold fractions shown as `82,5 %`.
    """
    safe = _safe(frame, headers)
    percent_at = {i for i, c in enumerate(frame.columns, start=1) if c in set(percent_columns)}
    ws.append(list(safe.columns))
    for cell in ws[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in safe.itertuples(index=False):
        ws.append([_cell(v) for v in row])
    for index, column in enumerate(safe.columns, start=1):
        width = max([len(str(column)), *(len(str(v)) for v in safe[column].head(200))]) + 2
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = min(max(width, 8), 60)
        number_format = None
        if pd.api.types.is_datetime64_any_dtype(safe[column]):
            number_format = "DD/MM/YYYY"
        elif index in percent_at:
            number_format = "0.0 %"
        if number_format:
            for cell in ws[letter][1:]:
                cell.number_format = number_format
    ws.freeze_panes = "A2"
    if len(safe.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(safe.columns))}{len(safe) + 1}"
    if source:
        ws.append([])
        ws.append([neutralise(source)])


def _cell(value):
    """A DataFrame value as openpyxl wants it: None for missing, datetime for timestamps, numpy → Python."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return value.item()
    return value
