"""The ministry's Comparaison and Conformité in Chromium at 1280×720: the map's Île-de-France inset,
the satisfaction ranking's labels and bands, and chart-data files that hold numbers.

Screenshots are written to the test's temporary folder (`comparaison-*.png`) to be looked at.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest

from tests.browser.helpers import signed_in_context, wait_idle

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1280, "height": 720}
GLOBAL_LABEL = "Globalement, êtes-vous satisfait du service rendu ?"
FRENCH_NUMBER = re.compile(r"-?\d+(,\d+)?")


@pytest.fixture(scope="module")
def page(server, browser):
    context = signed_in_context(browser, server, "ministere", viewport=VIEWPORT, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{server}/comparaison", wait_until="domcontentloaded")
    wait_idle(page, timeout_s=180)
    yield page
    context.close()


def _expander(page, title_start: str):
    summary = page.locator("[data-testid='stExpander'] summary", has_text=title_start).first
    summary.scroll_into_view_if_needed()
    summary.click()
    return summary.locator("xpath=ancestor::*[@data-testid='stExpander'][1]")


def _download(page, expander, label: str) -> bytes:
    with page.expect_download(timeout=60000) as info:
        expander.get_by_role("button", name=label).click()
    return Path(info.value.path()).read_bytes()


def _texts(locator) -> list[str]:
    """The text of SVG elements (Playwright's inner_text is for HTML)."""
    return locator.evaluate_all("els => els.map(e => e.textContent)")


def test_the_map_draws_paris_and_the_petite_couronne_zoomed(page, tmp_path_factory):
    areas = page.evaluate("""() => [...document.querySelectorAll('path.choroplethlocation')]
        .map(p => ({code: p.__data__ && (p.__data__.loc || (p.__data__.properties || {}).code),
                    fill: getComputedStyle(p).fill}))""")
    fills = {a["code"]: a["fill"] for a in areas if a["code"]}
    for code in ("75", "92", "93", "94"):
        assert fills[f"{code}-zoom"] == fills[code], code  # the inset repeats the département's colour
    assert len(fills) >= 105
    labels = page.locator(".js-plotly-plot text", has_text="Paris et petite couronne")
    assert labels.count() == 1
    chart = page.locator("[data-testid='stPlotlyChart']").first
    chart.scroll_into_view_if_needed()
    chart.screenshot(path=str(tmp_path_factory.getbasetemp() / "comparaison-carte.png"))


def test_satisfaction_opens_on_the_global_question_with_labelled_bars_and_numeric_files(page, tmp_path_factory):
    page.get_by_text("Satisfaction des usagers", exact=True).click()
    page.wait_for_function("label => [...document.querySelectorAll('input[role=combobox]')]"
                           ".some(i => i.value === label)", arg=GLOBAL_LABEL, timeout=60000)
    wait_idle(page)
    # Each bar of the ranking says its rate (labels inside the bars, at their foot).
    ranking = page.locator("[data-testid='stPlotlyChart']").nth(2)
    ranking.scroll_into_view_if_needed()
    bar_labels = ranking.locator("text.bartext")
    assert bar_labels.count() >= 90
    assert all(t.endswith("%") for t in _texts(bar_labels))
    ranking.screenshot(path=str(tmp_path_factory.getbasetemp() / "comparaison-classement.png"))

    expander = _expander(page, "Données du graphique : Classement")
    shown = expander.locator("[data-testid='stDataFrame']")
    assert shown.count() == 1
    rows = list(csv.reader(io.StringIO(_download(page, expander, "Télécharger (CSV)").decode("utf-8-sig")),
                           delimiter=";"))
    header, body = rows[0], rows[1:]
    rate = header.index("Taux de satisfaction (%)")
    answers = header.index("Avis exprimés")
    assert {"Rang", "Rang au mieux", "Rang au pire", "Borne basse IC 95 % (%)"} <= set(header)
    assert len(body) >= 90
    # Numbers as numbers: a decimal comma for a French spreadsheet, no unit, no thousands space.
    assert all(FRENCH_NUMBER.fullmatch(r[rate]) for r in body), (header, body[:3])
    assert all(r[answers].isdigit() for r in body)

    workbook = openpyxl.load_workbook(io.BytesIO(_download(page, expander, "Télécharger (Excel)")))
    sheet = workbook.active
    titles = [c.value for c in sheet[1]]
    values = [r[titles.index("Taux de satisfaction (%)")] for r in sheet.iter_rows(min_row=2, values_only=True)]
    counts = [r[titles.index("Avis exprimés")] for r in sheet.iter_rows(min_row=2, values_only=True)]
    # Typed cells (a whole rate such as 100 comes back as an int: Excel stores numbers alike).
    assert all(isinstance(v, int | float) for v in values) and any(isinstance(v, float) for v in values)
    assert all(isinstance(n, int) for n in counts)


def test_national_heatmap_names_the_modules_on_its_columns(page, server, tmp_path_factory):
    page.goto(f"{server}/conformite", wait_until="commit")
    wait_idle(page)
    heatmap = page.locator("[data-testid='stPlotlyChart']").first
    columns = _texts(heatmap.locator(".xtick text"))
    assert any("Relation" in c for c in columns), columns
    cells = [c for c in _texts(heatmap.locator("g.heatmaplayer text")) if c.strip()]
    heatmap.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path_factory.getbasetemp() / "conformite-national.png"))
    assert cells and all(c.endswith("%") for c in cells)
    # Horizontal column titles that stay clear of the chart's title.
    title = heatmap.locator(".gtitle").bounding_box()
    tops = [b["y"] for b in heatmap.locator(".xtick text").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().toJSON())")]
    assert min(tops) > title["y"] + title["height"], (title, min(tops))
