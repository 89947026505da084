"""Data exports of the filtered scope: xlsx (three typed sheets) and csv, within the caller's scope."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from qualepref.access import Principal, Role
from qualepref.db import Database
from qualepref.export import data_exports
from tests.conftest import DEMO_END_MONTH

START = date(2026, 1, 1)


@pytest.fixture(scope="module")
def demo_ro(demo_template):
    database = Database(demo_template, read_only=True)
    yield database
    database.close()


def _scope(database, role: Role, site: str | None = None):
    with database.cursor() as cur:
        codes = [c for (c,) in cur.execute("select site_code from sites").fetchall()]
    return Principal(user=f"{role}-{site}", role=role, site_code=site).scope(codes)


def _rows(database, query, *params):
    with database.cursor() as cur:
        return cur.execute(query, list(params)).fetchall()


def test_xlsx_has_three_sheets_with_french_headers_and_typed_values(demo_ro):
    frames = data_exports.load(demo_ro, _scope(demo_ro, Role.REFERENT, "2A"), START, DEMO_END_MONTH)
    wb = load_workbook(io.BytesIO(data_exports.to_xlsx(frames, source="Source : Qual-e-Pref")))
    assert wb.sheetnames == ["Indicateurs", "Enquêtes", "Conformité"]
    ws = wb["Indicateurs"]
    headers = [c.value for c in ws[1]]
    assert headers == list(data_exports.INDICATOR_HEADERS.values())
    stored = _rows(demo_ro, "select count(*) from indicator_values where site_code = '2A' "
                            "and period_start between ? and ?", START, DEMO_END_MONTH)[0][0]
    assert ws.max_row == stored + 1 + 2, "header, rows, a blank line and the source"
    first = {h: c.value for h, c in zip(headers, ws[2], strict=True)}
    value = _rows(demo_ro, "select value from indicator_values where site_code = '2A' and indicator_code = ? "
                           "and period_start = ?", first["Code indicateur"], first["Début de période"])[0][0]
    # A number, not text (a whole value such as 100,0 % reads back as an int: xlsx has one number type).
    assert first["Valeur"] == value and isinstance(first["Valeur"], int | float)
    assert isinstance(first["Début de période"], datetime) and ws.cell(2, 6).number_format == "DD/MM/YYYY"
    assert first["Type de période"] in {"Mois", "Trimestre"}
    surveys = wb["Enquêtes"]
    assert [c.value for c in surveys[1]][-1] == "Taux de satisfaction"
    rate_cell = surveys.cell(2, surveys.max_column)
    assert 0 <= rate_cell.value <= 1 and rate_cell.number_format == "0.0 %"
    assert isinstance(surveys.cell(2, 6).value, int), "counts stay integers"
    compliance = wb["Conformité"]
    results = {row[7] for row in compliance.iter_rows(min_row=2, values_only=True) if row[0]}
    assert results <= {"Conforme", "Partiellement conforme", "Non conforme", "Non applicable", None}
    assert "Source : Qual-e-Pref" in [r[0] for r in compliance.iter_rows(values_only=True)]


def test_csv_exports_use_semicolons_and_a_bom(demo_ro):
    frames = data_exports.load(demo_ro, _scope(demo_ro, Role.COPIL, "87"), START, DEMO_END_MONTH)
    for name, headers in (("indicateurs", data_exports.INDICATOR_HEADERS),
                          ("enquetes", data_exports.SURVEY_HEADERS),
                          ("conformite", data_exports.COMPLIANCE_HEADERS)):
        data = data_exports.to_csv(frames, name)
        assert data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
        assert rows[0] == list(headers.values())
        assert len(rows) == len(frames[name]) + 1
        assert {r[0] for r in rows[1:]} == {"87"}


def test_a_referents_export_holds_no_other_prefecture(demo_ro):
    frames = data_exports.load(demo_ro, _scope(demo_ro, Role.REFERENT, "87"), date(2024, 1, 1), DEMO_END_MONTH)
    assert all(len(frame) for frame in frames.values())
    workbook = load_workbook(io.BytesIO(data_exports.to_xlsx(frames)))
    cells = {str(v) for ws in workbook for row in ws.iter_rows(min_row=2, values_only=True) for v in row[:2]}
    assert cells == {"87", "Haute-Vienne"}
    others = _rows(demo_ro, "select site_name from sites where site_code <> '87'")
    text = "\n".join(data_exports.to_csv(frames, name).decode("utf-8-sig") for name in frames)
    for (name,) in others:
        assert f";{name};" not in text


def test_a_national_export_covers_every_site_with_data(demo_ro):
    frames = data_exports.load(demo_ro, _scope(demo_ro, Role.MINISTRY), START, DEMO_END_MONTH)
    assert frames["indicateurs"].site_code.nunique() == 110  # 101 prefectures and 9 sub-prefectures
