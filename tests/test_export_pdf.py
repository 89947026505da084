"""The PDF pack and the transparency poster, read back with pypdf and Pillow (kaleido + Chromium)."""

from __future__ import annotations

import io
import shutil
import time
from datetime import date

import pytest
from PIL import Image
from pypdf import PdfReader

from qualepref import fmt
from qualepref.access import Principal, Role
from qualepref.db import Database
from qualepref.export import figures, pack_data, pack_pdf
from tests.conftest import DEMO_END_MONTH

pytestmark = pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("chromium-browser")),
                                reason="Chromium is needed for static chart images (make browser)")
SITE = "87"


def _plain(text: str) -> str:
    """pypdf gives back the no-break spaces as they were written; compare on plain spaces."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.fixture(scope="module")
def data(demo_template):
    with Database(demo_template, read_only=True) as database:
        with database.cursor() as cur:
            codes = [c for (c,) in cur.execute("select site_code from sites").fetchall()]
        scope = Principal(user="copil-87", role=Role.COPIL, site_code=SITE).scope(codes)
        yield pack_data.load_pack_data(database, scope, SITE, date(2025, 1, 1), DEMO_END_MONTH)


@pytest.fixture(scope="module")
def pdf(data):
    return PdfReader(io.BytesIO(pack_pdf.build_pdf(data)))


def test_pdf_pages_follow_the_slides(pdf, data):
    pages = [_plain(page.extract_text()) for page in pdf.pages]
    assert "Préfecture de la Haute-Vienne (87)" in pages[0] and "Période : janv. 2025 – oct. 2026" in pages[0]
    assert "Licence Ouverte" in pages[0]
    assert pages[1].startswith("Chiffres clés") or "Chiffres clés" in pages[1]
    for family in pack_data.families(data):
        assert any(f"Indicateurs – {family.title}" in p for p in pages), family.title
    assert any("Satisfaction des usagers – campagne 2026" in p for p in pages)
    assert any(p.lstrip().startswith("Alertes") or "\nAlertes" in p for p in pages)
    assert any("Suivi du plan d'actions" in p and "En retard de" in p for p in pages)
    assert "Transmissions manquantes" in pages[-1]
    for number, text in enumerate(pages, start=1):
        assert "Source : Qual-e-Pref, données au" in text, number
        assert "Données de démonstration" in text, number
    # Chart pages carry real images, not only text.
    chart_page = next(p for p in pdf.pages if "Indicateurs – Téléphone" in p.extract_text())
    assert len(chart_page.images) == 1


def test_pdf_key_figures_and_tables_match_the_pack_data(pdf, data):
    text = _plain("\n".join(page.extract_text() for page in pdf.pages))
    headline = pack_data.headline(data)
    assert _plain(headline["Satisfaction globale"]) in text
    assert headline["Indicateurs à la cible"] in text
    for row in pack_data.key_figures(data).itertuples():
        assert _plain(row.Valeur) in text and row.Indicateur[:30] in text
    for row in pack_data.indicator_alerts(data).itertuples():
        assert row.Tendance in text
    months = pack_data.missing_months(data)
    assert ", ".join(fmt.month(m) for m in months) in text
    assert "Conforme" in text and "Audit externe" in text


def test_poster_is_one_page_pdf_and_a_large_png(data):
    pdf_bytes, png_bytes = pack_pdf.build_poster(data)
    reader = PdfReader(io.BytesIO(pdf_bytes))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.height) > float(box.width), "portrait"
    text = _plain(reader.pages[0].extract_text())
    assert "Haute-Vienne" in text and "Données de démonstration" in text
    for item in pack_data.poster_figures(data):
        assert item["label"] in text and _plain(item["value"]) in text
    # "Usagers satisfaits": the overall question and its respondents (it said "n = 1 029 avis exprimés",
    # the nine questions pooled, for about 114 people).
    overall = data.last_survey.set_index("question_code").loc["GLOBAL"]
    rate = (overall.n_tres_satisfait + overall.n_satisfait) / overall.n_expressed
    assert _plain(fmt.percent(rate, fraction=True)) in text
    assert f"n = {_plain(fmt.number(overall.n_expressed, 0))} répondants" in text
    assert "avis exprimés" not in text
    image = Image.open(io.BytesIO(png_bytes))
    assert image.format == "PNG"
    assert image.size == (int(figures.POSTER_WIDTH * 1.5), int(figures.POSTER_HEIGHT * 1.5))


def test_chromium_failing_to_start_gives_a_french_error_and_the_next_export_starts_afresh(monkeypatch):
    from plotly import graph_objects as go

    from qualepref.export import render

    image = render.Image(go.Figure(go.Scatter(x=[1, 2], y=[3, 4])), width=300, height=200)
    render.close_browser()
    monkeypatch.setenv("BROWSER_PATH", "/nulle/part/chromium")  # where kaleido looks for Chromium first
    with pytest.raises(render.RenderError, match="Chromium est-il installé"):
        render.render([image])
    monkeypatch.delenv("BROWSER_PATH")
    png = render.render([image])[0]
    assert Image.open(io.BytesIO(png)).size == (600, 400)  # scale 2
    # Kept open for the next export, which does not start Chromium again.
    assert render._browser is not None


def test_the_kept_chromium_is_closed_after_idle_time(monkeypatch):
    from plotly import graph_objects as go

    from qualepref.export import render

    monkeypatch.setattr(render, "IDLE_CLOSE_S", 0.5)
    render.render([render.Image(go.Figure(go.Bar(x=["a"], y=[1])), width=200, height=200)])
    assert render._browser is not None
    deadline = time.monotonic() + 30
    while render._browser is not None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert render._browser is None
