"""Every page in headless Chromium, offline: no exception, every chart drawn, the map's départements, axe-core.

Each page opens on its own URL in a fresh browser page; a page with a map in
its own fresh browser context too (DESIGN.md §7: once one map has loaded the
topojson, the others would hide the bug). The other pages share one context,
hence the browser cache, like a user going from page to page. Chromium is
started with a dead proxy for everything but loopback (see conftest), so the
network is closed to anything but localhost, and every request to another
host is recorded: the app must never try to reach the outside (fonts, CDN,
topojson). (Request interception would also do, but it disables the cache.)
"""

from __future__ import annotations

import time
from urllib.parse import urlparse

import pytest

from tests.browser.conftest import ROOT

pytestmark = pytest.mark.browser

LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
# Every file of pages/ is opened on its own URL. Which URL: the sidebar of the
# running app says (discovery mode on the demonstration data acts as the
# administrator, who sees every page); the default page lives at "/", and
# hidden pages (reachable by address only) at their file name.
PAGES = sorted(p.stem for p in (ROOT / "pages").glob("*.py"))
HIDDEN_PAGES = {"connexion"}
MAP_PAGES = {"comparaison"}
FIRST_VISIT = "tendances"
N_DEPARTEMENTS = 101
# axe-core findings ignored because the markup is Streamlit's own chrome, not our content, and
# cannot be changed from the app: with sections, st.navigation renders the sidebar menu as a
# <ul data-testid="stSidebarNavItems"> whose section headers are <div>s between the <li>s
# (rules `list` and `listitem`). Only nodes inside that menu are ignored; the same rules on
# our own content still fail the test.
STREAMLIT_CHROME = {"list": '[data-testid="stSidebarNav"]', "listitem": '[data-testid="stSidebarNav"]'}
# RGAA 4 follows WCAG 2.1 level AA: run those rules (faster than every best-practice rule too).
AXE_OPTIONS = {"resultTypes": ["violations"],
               "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
IDLE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"], .stSpinner, [data-testid="stSkeleton"]')) return false;
  if (!document.querySelector('[data-testid="stMain"] h1')) return false;
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  return charts.every(c => c.querySelector('.js-plotly-plot .main-svg'));
}"""


def _wait_idle(page, timeout_s: float = 90) -> float:
    """Wait until the script ran, nothing spins and every chart is drawn, twice in a row; return ms since navigation."""
    deadline = time.monotonic() + timeout_s
    stable = 0
    while stable < 2:
        if time.monotonic() > deadline:
            raise AssertionError(f"page not idle after {timeout_s} s")
        stable = stable + 1 if page.evaluate(IDLE_JS) else 0
        if stable == 1:
            reached = page.evaluate("performance.now()")
        time.sleep(0.25)
    return reached


def _inside(page, target: list, container: str | None) -> bool:
    """True when the element axe points at lies inside `container` (a CSS selector)."""
    if container is None or len(target) != 1:
        return False
    return page.evaluate("([sel, box]) => { const el = document.querySelector(sel);"
                         " return !!(el && el.closest(box)); }", [target[0], container])


@pytest.fixture(scope="module")
def warm(server, browser):
    """First visit: the app opens its fresh database and loads the demonstration data (not timed).

    It lands on a deep link, as a bookmark does after the server restarts: the
    first run of a fresh server is the one Streamlit would serve from the
    `pages/` folder, bypassing app.py (see `ui._leave_folder_navigation`).
    """
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server}/{FIRST_VISIT}", wait_until="domcontentloaded")
    _wait_idle(page, timeout_s=180)
    first_title = page.locator('[data-testid="stMain"] h1').first.inner_text()
    links = page.locator('[data-testid="stSidebarNav"] a')
    more = page.locator('[data-testid="stSidebarNavViewButton"]')
    if more.count():
        more.first.click()
        time.sleep(0.5)
    hrefs = [urlparse(h).path.strip("/") for h in links.evaluate_all("els => els.map(e => e.href)")]
    labels = links.evaluate_all("els => els.map(e => e.innerText)")
    context.close()
    return server, hrefs, labels, first_title


def test_a_deep_link_on_a_fresh_server_goes_through_the_app_navigation(warm):
    _, _, labels, first_title = warm
    assert first_title == "Tendances"
    # app.py's navigation: French titles, not the `pages/` file names ("admin comptes", "app").
    assert any("Vue d'ensemble" in label for label in labels), labels
    assert not any(label.strip() in {"app", "admin comptes", "tendances"} for label in labels), labels


def _url_path(name: str, hrefs: list[str]) -> str:
    return name if name in hrefs or name in HIDDEN_PAGES else ""


def test_every_page_is_in_the_navigation(warm):
    _, hrefs, _, _ = warm
    assert "" in hrefs, "no default page"
    unlisted = [p for p in PAGES if p not in hrefs and p not in HIDDEN_PAGES]
    assert len(unlisted) == 1, f"pages/ files missing from the navigation: {unlisted} (one is the default page)"
    assert len(hrefs) == len(PAGES) - len(HIDDEN_PAGES)


def _new_context(browser):
    """A browser context that records every request leaving localhost."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    outside: list[str] = []

    def record(request):
        url = request.url
        if not url.startswith(("data:", "blob:")) and (urlparse(url).hostname or "") not in LOCAL_HOSTS:
            outside.append(url)

    context.on("request", record)
    return context, outside


@pytest.fixture(scope="module")
def shared_context(browser):
    context, outside = _new_context(browser)
    yield context, outside
    context.close()


@pytest.mark.parametrize("name", PAGES)
def test_page_renders_offline_and_accessibly(warm, browser, shared_context, page_timings, name):
    from axe_playwright_python.sync_playwright import Axe

    server, hrefs, _, _ = warm
    path = _url_path(name, hrefs)
    own_context = name in MAP_PAGES
    context, outside = _new_context(browser) if own_context else shared_context
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

        # Our fix (ui.footer): the page is declared French for screen readers.
        assert page.evaluate("document.documentElement.lang") == "fr"
        assert page.title().strip()

        results = Axe().run(page, options=AXE_OPTIONS)
        serious = []
        for violation in results.response["violations"]:
            if violation["impact"] not in ("serious", "critical"):
                continue
            nodes = [n for n in violation["nodes"]
                     if not _inside(page, n["target"], STREAMLIT_CHROME.get(violation["id"]))]
            if nodes:
                serious.append(f"{violation['id']} ({violation['impact']}): {violation['help']} → "
                               + "; ".join(f"{n['target']} {n['html'][:120]}" for n in nodes[:5]))
        assert not serious, "\n".join(serious)
    finally:
        page.close()
        if own_context:
            context.close()


def test_the_network_is_closed_and_watched(browser, server):
    """The guard itself: a request leaving localhost fails and is recorded (else the checks above prove nothing)."""
    from playwright.sync_api import Error

    context, outside = _new_context(browser)
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
