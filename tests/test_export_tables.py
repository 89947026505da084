"""Table exports (csv `;` + BOM, formatted xlsx) read back with the csv module and openpyxl."""

import csv
import io
from datetime import datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

from qualepref.export import tables

FRAME = pd.DataFrame({
    "site_code": ["87", "2A", "01"],
    "label": ["=SUM(A1:A2)", "+33 1 23", "Délai « courriers »"],
    "comment": ["@cmd", "-2+3", "\tcaché"],
    "value": [4.5, 1234.25, None],
    "count": pd.array([12, 0, None], dtype="Int64"),
    "period_start": pd.to_datetime(["2025-01-01", "2025-02-01", None]),
})
HEADERS = {"site_code": "Code préfecture", "label": "Libellé", "comment": "Commentaire", "value": "Valeur",
           "count": "Nombre", "period_start": "Début de période"}


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(1)", "\t=1", "\r=1"])
def test_neutralise_defuses_every_formula_prefix(text):
    assert tables.neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Haute-Vienne", "1-2", "", 3.5, -2, None])
def test_neutralise_leaves_other_values_alone(value):
    assert tables.neutralise(value) == value


def _read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM so that Excel detects the encoding"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_csv_has_semicolons_bom_french_headers_and_decimal_commas():
    rows = _read_csv(tables.to_csv_bytes(FRAME, HEADERS))
    assert rows[0] == list(HEADERS.values())
    assert [r[0] for r in rows[1:]] == ["87", "2A", "01"], "codes stay text (leading zero kept)"
    assert rows[1][3] == "4,5" and rows[2][3] == "1234,25"
    assert rows[3][3] == "", "missing is empty, never 0"
    assert rows[1][4] == "12" and rows[3][4] == ""


def test_csv_neutralises_formulas_in_cells_and_headers():
    frame = pd.DataFrame({"=cmd|' /C calc'!A0": ["=HYPERLINK(\"http://x\")", "ok"]})
    rows = _read_csv(tables.to_csv_bytes(frame))
    assert rows[0] == ["'=cmd|' /C calc'!A0"]
    assert rows[1] == ["'=HYPERLINK(\"http://x\")"]
    assert rows[2] == ["ok"]


def test_xlsx_headers_types_dates_and_no_formula():
    data = tables.to_xlsx_bytes(FRAME, HEADERS, sheet="Indicateurs", source="Source : Qual-e-Pref")
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Indicateurs"]
    assert [c.value for c in ws[1]] == list(HEADERS.values())
    assert ws[1][0].font.bold and ws.freeze_panes == "A2"
    row2 = [c.value for c in ws[2]]
    assert row2[0] == "87"
    assert row2[3] == 4.5 and isinstance(row2[3], float), "numbers stay numbers"
    assert row2[4] == 12 and isinstance(row2[4], int)
    assert row2[5] == datetime(2025, 1, 1) and ws.cell(2, 6).number_format == "DD/MM/YYYY"
    assert ws.cell(4, 4).value is None and ws.cell(4, 6).value is None, "missing stays empty"
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} would be evaluated as a formula"
    # Texts kept as they are, as text cells with Excel's quote prefix (editing keeps them text).
    for coordinate, text in (("B2", "=SUM(A1:A2)"), ("B3", "+33 1 23"), ("C2", "@cmd"), ("C3", "-2+3"),
                             ("C4", "\tcaché")):
        assert (ws[coordinate].value, ws[coordinate].data_type, ws[coordinate].quotePrefix) == (text, "s", True)
    assert not ws["B4"].quotePrefix, "ordinary text is left alone"
    assert ws.cell(ws.max_row, 1).value == "Source : Qual-e-Pref"


def test_xlsx_percent_columns_keep_fractions_shown_as_percent():
    frame = pd.DataFrame({"rate": [0.825, None]})
    wb = load_workbook(io.BytesIO(_one_sheet(frame, percent_columns={"rate"})))
    ws = wb.active
    assert ws["A2"].value == 0.825 and ws["A2"].number_format == "0.0 %"
    assert ws["A3"].value is None


def _one_sheet(frame, **kwargs) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    tables.fill_sheet(wb.active, frame, {"rate": "Taux de satisfaction"}, **kwargs)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
