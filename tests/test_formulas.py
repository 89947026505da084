"""Formula injection: one rule (`qualepref.formulas`) for the template, the exports and the pack's workbooks.

Real files: the template and the exports are written and read back with
openpyxl; the pack's chart workbook is taken out of a real pptx.
"""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pandas as pd
import pytest
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE
from pptx.util import Inches

from qualepref import formulas, referentiel_edit, sql, template
from qualepref.access import Principal, Role
from qualepref.export import pack, tables
from qualepref.referentiel_edit import ReferentielError
from tests.conftest import table_contents

HOSTILE = [
    '=HYPERLINK("http://x.example","clic")',
    "+33 1 23",
    "-2+3",
    "@SUM(1)",
    "\uff1dWEBSERVICE(\"http://x\")",  # full-width equals sign
    "\uff0b1", "\uff0d1", "\uff20x",
    "\u200b=1+1",  # zero-width space before
    "\ufeff=1+1", "\u2060=1", "\u202e=1", "\u00ad=1",
    "  =1+1",
    "\t=1", "\r=1", "\n=1",
]
# In files: the one-line ones (a line break inside a CSV field is another matter, quoted by the writer).
HOSTILE_CELLS = [t for t in HOSTILE if "\r" not in t and "\n" not in t]
HARMLESS = ["Haute-Vienne", "1-2", "Délai = 15 j", "\u200bDélai", "", "courriels @ préfecture", "82,5 %"]
ADMIN = Principal("admin@interieur.gouv.fr", Role.ADMIN, display_name="Admin")


@pytest.mark.parametrize("text", HOSTILE)
def test_the_rule_catches_every_formula_start(text):
    assert formulas.looks_like_formula(text)
    assert formulas.neutralise(text) == "'" + text


@pytest.mark.parametrize("value", [*HARMLESS, 3.5, -2, None])
def test_the_rule_leaves_other_values_alone(value):
    assert not formulas.looks_like_formula(value)
    assert formulas.neutralise(value) == value


def _formula_cells(data: bytes) -> list[str]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [f"{ws.title}!{cell.coordinate}" for ws in workbook for row in ws.iter_rows() for cell in row
            if cell.data_type == "f"]


def _referentiel(db):
    with db.cursor() as cur:
        codes = [r[0] for r in cur.execute("select site_code from sites").fetchall()]
    scope = ADMIN.scope(codes)
    return (sql.run(db, "referentiel_indicators", scope=scope), sql.run(db, "referentiel_questions", scope=scope),
            sql.run(db, "sites", scope=scope))


def test_the_template_writes_hostile_labels_as_text(db):
    # Labels stored before the editor refused them (or written in the database by other means).
    indicators, questions, sites = _referentiel(db)
    n = min(len(HOSTILE_CELLS), len(indicators))
    indicators = indicators.head(n).assign(indicator_label=HOSTILE_CELLS[:n])
    data = template.build(indicators, questions, sites)
    assert _formula_cells(data) == [], "no label may become a live formula"
    lists = openpyxl.load_workbook(io.BytesIO(data))[template.LISTS_SHEET]
    written = [cell for cell in lists["A"][1:] if cell.value is not None]
    assert [c.value for c in written] == HOSTILE_CELLS[:n], "offered as stored, for the import to match"
    assert all(c.data_type == "s" and c.quotePrefix for c in written)


def test_csv_and_xlsx_exports_defuse_full_width_and_hidden_starts():
    frame = pd.DataFrame({"texte": HOSTILE_CELLS + HARMLESS})
    rows = list(csv.reader(io.StringIO(tables.to_csv_bytes(frame).decode("utf-8-sig")), delimiter=";"))
    assert [r[0] if r else "" for r in rows[1:]] == ["'" + t for t in HOSTILE_CELLS] + HARMLESS
    data = tables.to_xlsx_bytes(frame)
    assert _formula_cells(data) == []
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    cells = [ws.cell(row=i + 2, column=1) for i in range(len(HOSTILE_CELLS))]
    assert [c.value for c in cells] == HOSTILE_CELLS
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)


def _chart_workbook(chart_data_class) -> bytes:
    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    data = chart_data_class()
    data.categories = HOSTILE[:4]
    data.add_series('=cmd|" /C calc"!A0', [1.0, 2.0, 3.0, 4.0])
    slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(1), Inches(1), Inches(6), Inches(4), data)
    buffer = io.BytesIO()
    prs.save(buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as pptx_file:
        [embedded] = [n for n in pptx_file.namelist() if n.startswith("ppt/embeddings/") and n.endswith(".xlsx")]
        return pptx_file.read(embedded)


def test_the_packs_chart_workbooks_hold_labels_as_text():
    assert _formula_cells(_chart_workbook(CategoryChartData)), "python-pptx alone makes formulas of such labels"
    workbook = _chart_workbook(pack.TextCategoryChartData)
    assert _formula_cells(workbook) == []
    ws = openpyxl.load_workbook(io.BytesIO(workbook)).active
    assert [ws.cell(row=r, column=1).value for r in range(2, 6)] == HOSTILE[:4]


@pytest.mark.parametrize("label", ["=1+1", "\uff1d1+1", "\u200bDélai", "\u200b=1", "@courriels", "-délai", "+délai"])
def test_the_referentiel_editor_refuses_formula_and_invisible_starts(db, label):
    before = table_contents(db)
    indicator = referentiel_edit.clean_indicator(
        indicator_code="APPELS_PERDUS", indicator_label=label, module=1, engagement=None, unit="%",
        direction="baisse", target="8", frequency="mensuelle", target_source=None)
    with pytest.raises(ReferentielError, match=r"formule|invisible"):
        referentiel_edit.save_indicator(db, indicator, actor=ADMIN, new=False)
    with pytest.raises(ReferentielError, match=r"formule|invisible"):
        referentiel_edit.add_synonym(db, "indicateur", "APPELS_PERDUS", label, actor=ADMIN)
    with pytest.raises(ReferentielError, match=r"formule|invisible"):
        referentiel_edit.save_engagement(db, referentiel_edit.Engagement(1, 99, None, label), actor=ADMIN, new=True)
    assert table_contents(db) == before
