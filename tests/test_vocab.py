"""One vocabulary: a code has one label, one order and one colour on the web, in the pptx and in the PDF."""

from __future__ import annotations

import io
import re
from datetime import date

import pandas as pd
import pytest
from pptx import Presentation

from qualepref import fmt, sql, vocab
from qualepref.charts import compliance
from qualepref.config import QUERIES_DIR
from qualepref.db import Database
from qualepref.export import pack, pack_data, pack_pdf
from qualepref.ingest import readers
from tests.conftest import DEMO_END_MONTH, ROOT, national_scope

SITE = "87"


@pytest.fixture(scope="module")
def demo_ro(demo_template):
    database = Database(demo_template, read_only=True)
    yield database
    database.close()


@pytest.fixture(scope="module")
def data(demo_ro):
    return pack_data.load_pack_data(demo_ro, national_scope(demo_ro), SITE, date(2025, 1, 1), DEMO_END_MONTH,
                                    built_on=date(2026, 11, 5))


def _heatmap_colours(fig) -> dict[str, str]:
    """Result label → colour of the engagement × assessment heatmap's discrete scale."""
    heat = fig.data[0]
    labels = heat.colorbar.ticktext
    n = len(labels)
    # Each result owns the band [i/n, (i+1)/n] of the scale.
    by_stop = {round(stop, 6): colour for stop, colour in heat.colorscale}
    return {label: by_stop[round(i / n, 6)] for i, label in enumerate(labels)}


def test_conforme_has_one_colour_on_the_web_heatmap_the_slides_and_the_pdf(data):
    assessments = pd.DataFrame({
        "module": [1, 1, 1, 1], "engagement": [1, 2, 3, 4], "engagement_label": ["a", "b", "c", "d"],
        "assessed_on": [date(2025, 3, 1)] * 4, "assessment_type": ["audit_externe"] * 4,
        "result": ["conforme", "partiel", "non_conforme", "non_applicable"],
    })
    web = _heatmap_colours(compliance.engagement_assessment_heatmap(assessments, title="t"))
    for term in vocab.COMPLIANCE_RESULTS:
        assert web[term.label] == term.colour

    deck = Presentation(io.BytesIO(pack.build_pptx(data)))
    fills = {}
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_table and shape.name == "Carte de conformité":
                rows = list(shape.table.rows)
                column = [c.text for c in rows[0].cells].index("Résultat")
                for row in rows[1:]:
                    cell = row.cells[column]
                    fills[cell.text] = str(cell.fill.fore_color.rgb)
    assert "Conforme" in fills, "the demonstration site has conforme engagements"
    for label, colour in fills.items():
        term = next(t for t in vocab.COMPLIANCE_RESULTS if t.label == label)
        assert "#" + colour == term.colour.upper(), label

    # The PDF pack's compliance table, its page stream uncompressed: the fill operator of each result.
    doc = pack_pdf._Document(data)
    doc.compress = False
    pack_pdf._compliance_pages(doc, data)
    stream = bytes(doc.output()).decode("latin-1")
    fills_used = set()
    for grey in re.findall(r"(?m)^([\d.]+) g$", stream):  # fpdf2 writes a grey fill as one value
        fills_used.add((round(float(grey) * 255),) * 3)
    for r, g, b in re.findall(r"(?m)^([\d.]+) ([\d.]+) ([\d.]+) rg$", stream):
        fills_used.add(tuple(round(float(v) * 255) for v in (r, g, b)))
    for code in set(pack_data.compliance_table(data).result):
        assert vocab.rgb(vocab.COMPLIANCE_RESULTS.colour(code)) in fills_used, code


def test_text_on_a_coloured_cell_is_readable():
    for vocabulary in (vocab.COMPLIANCE_RESULTS, vocab.ALERT_LEVELS, vocab.TRANSMISSION_STATUSES):
        for term in vocabulary:
            fill = vocab.rgb(term.colour)
            ink = vocab.rgb(term.ink)

            def luminance(rgb):
                def c(v):
                    v /= 255
                    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
                return 0.2126 * c(rgb[0]) + 0.7152 * c(rgb[1]) + 0.0722 * c(rgb[2])

            light, dark = sorted((luminance(fill), luminance(ink)), reverse=True)
            assert (light + 0.05) / (dark + 0.05) >= 4.5, term  # WCAG AA for text


def test_same_day_precedence_is_written_once():
    """Four compliance queries held a copied literal list; one vocabulary order fills `$assessment_precedence`."""
    literal = re.compile(r"\[\s*'audit_externe'", re.IGNORECASE)
    for path in QUERIES_DIR.glob("*.sql"):
        assert not literal.search(path.read_text(encoding="utf-8")), path.name
    assert sql.CONSTANTS["assessment_precedence"] == ["audit_externe", "audit_interne", "enquete_mystere",
                                                      "auto_evaluation"]
    with pytest.raises(sql.ProgrammingError):
        sql.bind("compliance_latest", {"as_of": date(2026, 1, 1), "assessment_precedence": ["x"]}, None)


def test_labels_of_a_code_come_from_the_vocabulary():
    assert vocab.COMPLIANCE_RESULTS.label("partiel") == "Partiellement conforme"
    assert vocab.COMPLIANCE_RESULTS.short("partiel") == "Partiel"
    assert vocab.ASSESSMENT_TYPES.label("inconnu") == "inconnu"
    assert vocab.unit("jours ouvrés").excel_format == '0" j"'
    assert vocab.unit("nombre").excel_format == "0"
    assert vocab.rgb("#2166AC") == (0x21, 0x66, 0xAC)
    with pytest.raises(ValueError):
        vocab.rgb("blue")


# -- French numbers --------------------------------------------------------------------------------
def test_the_file_too_large_message_is_french():
    """It ended "(20 Mo)," on the old main: `.replace(".", ",")` turned the sentence's full stop into a comma."""
    limit = 20 * 1_048_576
    with pytest.raises(readers.RefusedFile) as refused:
        readers.read(b"x" * (limit + 200_000), "gros.csv", max_bytes=limit)
    message = str(refused.value)
    assert "(20\u00a0Mo) : " in message and message.endswith(".") and "20,2\u00a0Mo" in message, message


def test_no_hand_made_decimal_comma_in_the_code():
    pattern = re.compile(r"""\.replace\(\s*["']\.["']\s*,\s*["'],["']\s*\)""")
    for folder in ("qualepref", "pages"):
        for path in (ROOT / folder).rglob("*.py"):
            assert not pattern.search(path.read_text(encoding="utf-8")), path
    assert not pattern.search((ROOT / "app.py").read_text(encoding="utf-8"))


def test_french_number_helpers():
    assert fmt.compact(20) == "20" and fmt.compact(2.5) == "2,5" and fmt.compact(1234) == "1\u202f234"
    assert fmt.file_size(20 * 1_048_576) == "20\u00a0Mo"
    assert fmt.target_value(15, "jours ouvrés", "baisse") == "≤ 15\u00a0j"
    assert fmt.target(90, "%", "hausse") == "Cible : ≥ 90\u00a0%"
    assert fmt.target(90, "%", "hausse", indicative=True) == "Cible indicative : ≥ 90\u00a0%"
    assert fmt.target(None, "%", "hausse") == "Sans cible"
