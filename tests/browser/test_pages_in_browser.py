"""Every page in headless Chromium, offline: no exception, every chart drawn, the map's départements, axe-core.

Each page opens on its own URL in a fresh browser page, signed in as the
administrator (who sees every page) through the session cookie; a page with a
map in its own fresh browser context too (once one map has loaded the
topojson, the others would hide the bug). The other pages share one context,
hence the browser cache, like a user going from page to page. Chromium is
started with a dead proxy for everything but loopback (see conftest), so the
network is closed to anything but localhost, and every request to another
host is recorded: the app must never try to reach the outside (fonts, CDN,
topojson). (Request interception would also do, but it disables the cache.)
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.browser.conftest import ROOT
from tests.browser.helpers import english_words, sign_in, signed_in_context
from tests.browser.helpers import wait_idle as _wait_idle

pytestmark = pytest.mark.browser

LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
# Every file of pages/ is opened on its own URL. Which URL: the sidebar of the
# running app says (the administrator sees every page); the default page lives
# at "/", and hidden pages (reachable by address only) at their file name.
PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))
HIDDEN_PAGES = {"connexion", "accessibilite"}
MAP_PAGES = {"comparaison", "labellisation"}
FIRST_VISIT = "tendances"
N_DEPARTEMENTS = 101
# RGAA 4 follows WCAG 2.1 level AA: run those rules (faster than every best-practice rule too).
AXE_OPTIONS = {"resultTypes": ["violations"],
               "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
@pytest.fixture(scope="module")
def warm(server, browser):
    """The administrator signs in on a deep link (not timed); the menu's links and titles."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server}/{FIRST_VISIT}", wait_until="domcontentloaded")
    _wait_idle(page, timeout_s=180)
    sign_in(page, "admin")
    first_title = page.locator('[data-testid="stMain"] h1').first.inner_text()
    links = page.locator('.st-key-navigation a')
    hrefs = [urlparse(h).path.strip("/") for h in links.evaluate_all("els => els.map(e => e.href)")]
    labels = links.evaluate_all("els => els.map(e => e.innerText)")
    context.close()
    return server, hrefs, labels, first_title


def test_signing_in_on_a_deep_link_opens_that_page_from_app_navigation(warm):
    _, _, labels, first_title = warm
    assert first_title == "Tendances"
    # app.py's navigation: French titles, not the `pages/` file names ("admin comptes", "app").
    assert any("Vue d'ensemble" in label for label in labels), labels
    assert not any(label.strip() in {"app", "admin comptes", "tendances"} for label in labels), labels


def _url_path(name: str, hrefs: list[str]) -> str:
    assert name in hrefs or name in HIDDEN_PAGES, name
    return name


def test_every_page_is_in_the_navigation(warm):
    """Each menu link names its page (none is `href=""`, which a new tab would open as the current page)."""
    _, hrefs, _, _ = warm
    unlisted = [p for p in PAGES if p not in hrefs and p not in HIDDEN_PAGES]
    assert not unlisted, f"pages/ files missing from the navigation: {unlisted}"
    assert sorted(hrefs) == sorted(set(PAGES) - HIDDEN_PAGES)


def _new_context(browser, server):
    """A browser context signed in as the administrator, that records every request leaving localhost."""
    context = signed_in_context(browser, server, "admin")
    outside: list[str] = []

    def record(request):
        url = request.url
        if not url.startswith(("data:", "blob:")) and (urlparse(url).hostname or "") not in LOCAL_HOSTS:
            outside.append(url)

    context.on("request", record)
    return context, outside


@pytest.fixture(scope="module")
def shared_context(browser, server):
    context, outside = _new_context(browser, server)
    yield context, outside
    context.close()


@pytest.mark.parametrize("name", PAGES)
def test_page_renders_offline_and_accessibly(warm, browser, shared_context, page_timings, name):
    from axe_playwright_python.sync_playwright import Axe

    server, hrefs, _, _ = warm
    path = _url_path(name, hrefs)
    own_context = name in MAP_PAGES
    context, outside = _new_context(browser, server) if own_context else shared_context
    outside.clear()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(f"{server}/{path}", wait_until="commit")
        elapsed_ms = _wait_idle(page)
        page_timings[f"/{path}"] = elapsed_ms / 1000

        exceptions = page.locator('[data-testid="stException"]')
        assert exceptions.count() == 0, exceptions.first.inner_text()
        assert not errors, errors
        charts = page.locator('[data-testid="stPlotlyChart"]')
        for i in range(charts.count()):
            assert charts.nth(i).locator(".main-svg").count() > 0, f"chart {i} not drawn"
        if name in MAP_PAGES:
            assert charts.count() > 0
            assert page.locator("path.choroplethlocation").count() >= N_DEPARTEMENTS
        assert not outside, f"the app tried to reach the outside: {outside}"

        # The page is declared French for screen readers (chrome.js).
        assert page.evaluate("document.documentElement.lang") == "fr"
        assert page.title().strip()

        # The whole page, Streamlit's chrome and our menu included: no exception list.
        results = Axe().run(page, options=AXE_OPTIONS)
        found = [f"{v['id']} ({v['impact']}): {v['help']} → "
                 + "; ".join(f"{n['target']} {n['html'][:120]}" for n in v["nodes"][:5])
                 for v in results.response["violations"]]
        assert not found, "\n".join(found)

        # French everywhere a French user looks or listens (Streamlit's and Plotly's chrome included).
        english = english_words(page)
        assert not english, "\n".join(english)
    finally:
        page.close()
        if own_context:
            context.close()


def test_the_network_is_closed_and_watched(browser, server):
    """The guard itself: a request leaving localhost fails and is recorded (else the checks above prove nothing)."""
    from playwright.sync_api import Error

    context, outside = _new_context(browser, server)
    try:
        page = context.new_page()
        with pytest.raises(Error):
            page.goto("http://cdn.plot.ly/un-fichier.js", timeout=15000)
        assert outside == ["http://cdn.plot.ly/un-fichier.js"]
        local = context.new_page()  # the first page is busy showing Chromium's error page
        local.goto(f"{server}/_stcore/health")
        assert "ok" in local.content() and len(outside) == 1
    finally:
        context.close()


def test_clicking_a_compliance_cell_shows_its_engagements(warm, shared_context):
    """Heatmaps give Streamlit no selection (streamlit#8760): the invisible markers on the cells must."""
    server, *_ = warm
    context, _ = shared_context
    page = context.new_page()
    try:
        page.goto(f"{server}/conformite?region=75", wait_until="commit")
        _wait_idle(page)
        chart = page.locator(".js-plotly-plot").first
        chart.scroll_into_view_if_needed()
        box = page.evaluate("""() => { const gd = document.querySelector('.js-plotly-plot');
            const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, r = gd.getBoundingClientRect();
            return {x: r.x + xa._offset + xa._length / xa._categories.length * 2.5,
                    y: r.y + ya._offset + ya._length / ya._categories.length * 0.5,
                    site: xa._categories[2], module: ya._categories[0]}; }""")
        chosen = page.locator('[data-testid="stMain"] [data-testid="stSelectbox"] input')
        assert not chosen.nth(1).input_value().startswith(box["site"])  # the third prefecture, not the first
        page.mouse.move(box["x"] - 3, box["y"] - 3)
        page.mouse.click(box["x"], box["y"])
        page.wait_for_function(
            "code => [...document.querySelectorAll('[data-testid=\"stMain\"] [data-testid=\"stSelectbox\"] input')]"
            ".some(i => i.value.startsWith(code + ' – '))", arg=box["site"], timeout=30000)
        _wait_idle(page)
        assert chosen.nth(0).input_value() == box["module"]
        assert chosen.nth(1).input_value().startswith(f"{box['site']} – ")
    finally:
        page.close()


def test_trend_tabs_draw_only_the_open_tab_and_keep_it_in_the_url(warm, shared_context):
    server, *_ = warm
    context, _ = shared_context
    page = context.new_page()
    charts = page.locator('[data-testid="stPlotlyChart"]')
    try:
        page.goto(f"{server}/tendances?pref=87&module=1", wait_until="commit")
        _wait_idle(page)
        n_indicators = charts.count()
        assert n_indicators > 1
        page.get_by_role("tab", name="Satisfaction des usagers").click()
        page.wait_for_url("**vue=satisfaction**", timeout=30000)
        _wait_idle(page)
        assert charts.count() == 1
        page.get_by_role("tab", name="Indicateurs").click()
        page.wait_for_function("() => !location.search.includes('vue=')", timeout=30000)
        _wait_idle(page)
        assert charts.count() == n_indicators
    finally:
        page.close()


def test_the_labellisation_map_draws_every_site_by_status_offline(warm, browser):
    """Its own context (no topojson cached by another map): départements filled by status, a marker per
    site whose shape repeats the status, the statuses in the legend, and no request leaves localhost."""
    server, hrefs, _, _ = warm
    context, outside = _new_context(browser, server)
    page = context.new_page()
    try:
        page.goto(f"{server}/{_url_path('labellisation', hrefs)}", wait_until="commit")
        _wait_idle(page)
        chart = page.locator('[data-testid="stPlotlyChart"]').first
        assert chart.locator("path.choroplethlocation").count() >= N_DEPARTEMENTS
        # Scattergeo markers: one per active site (prefectures and the demonstration's sub-prefectures).
        markers = chart.locator(".scattergeo path.point")
        assert markers.count() >= N_DEPARTEMENTS + 5
        legend = " ".join(chart.locator(".legendtext").evaluate_all("els => els.map(e => e.textContent)"))
        assert "Labellisé" in legend and "Audit de suivi en retard" in legend
        shapes = set(chart.locator(".legend path.scatterpts").evaluate_all(
            "els => els.map(e => e.getAttribute('d'))"))
        assert len(shapes) >= 3, "each status has its own marker shape"
        assert not outside, f"the app tried to reach the outside: {outside}"
    finally:
        page.close()
        context.close()
