"""Without a mouse, and at 200 % zoom (issue 16, accessibility).

A référente signs in, opens a page from the menu, changes a filter and
downloads a file with the keyboard alone; every element she reaches shows
where the focus is. At 200 % zoom of a 1280×720 window the text of every
page she uses reads without scrolling sideways.
"""

from __future__ import annotations

import time

import pytest

from tests.browser.conftest import ACCOUNTS, PASSWORD
from tests.browser.helpers import signed_in_context, wait_idle

pytestmark = pytest.mark.browser

FOCUSED_JS = """() => { const el = document.activeElement; if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  // The data grid draws its focused cell on its canvas (its accessible cells are off screen).
  const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2)
               || !!el.closest('[data-testid="stDataFrame"]');
  return {tag: el.tagName, name: el.getAttribute('aria-label') || el.innerText || el.value || '',
          type: el.getAttribute('type'), ring: ring}; }"""


def _tab_to(page, matches, limit: int = 120) -> dict:
    """Press Tab until the focused element satisfies `matches`; every element passed shows its focus."""
    unringed = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        time.sleep(0.05)
        focused = page.evaluate(FOCUSED_JS)
        if focused is None:
            continue
        if not focused["ring"]:
            unringed.append(focused["name"][:40])
        if matches(focused):
            assert not unringed, f"focus not visible on: {unringed}"
            return focused
    raise AssertionError("not reached with the keyboard")


def test_sign_in_navigate_filter_and_download_with_the_keyboard(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="fr-FR", accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(f"{server}/connexion", wait_until="commit")
        wait_idle(page)
        _tab_to(page, lambda f: f["name"] == "Adresse électronique")
        page.keyboard.type(ACCOUNTS["referent"][0])
        _tab_to(page, lambda f: f["type"] == "password")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_function("() => !document.querySelector('input[type=password]')", timeout=60000)
        wait_idle(page)

        _tab_to(page, lambda f: f["tag"] == "A" and f["name"].strip().endswith("Alertes"))
        page.keyboard.press("Enter")
        page.wait_for_function("() => location.pathname.endsWith('/alertes')", timeout=60000)
        time.sleep(0.5)
        wait_idle(page)

        # A filter: the start of the period, one month later.
        box = _tab_to(page, lambda f: f["name"] == "Début")
        before = box["name"] and page.evaluate("document.activeElement.value")
        page.keyboard.press("ArrowDown")
        time.sleep(0.3)
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        page.wait_for_function("b => !!document.querySelector('input[aria-label=\"Début\"]') && "
                               "document.querySelector('input[aria-label=\"Début\"]').value !== b",
                               arg=before, timeout=30000)
        time.sleep(0.5)
        wait_idle(page)
        assert "debut=" in page.url

        # The alerts as a CSV file.
        _tab_to(page, lambda f: f["tag"] == "BUTTON" and "Télécharger les alertes (CSV)" in f["name"], limit=200)
        with page.expect_download(timeout=60000) as download:
            page.keyboard.press("Enter")
        assert download.value.suggested_filename.endswith(".csv")
    finally:
        context.close()


OVERFLOW_JS = """() => { const main = document.querySelector('[data-testid="stMain"]');
  const wide = [];
  for (const el of main.querySelectorAll('p, h1, h2, h3, li, label, [data-testid="stMetricValue"]')) {
    const r = el.getBoundingClientRect();
    const cut = r.right > window.innerWidth + 1 || el.scrollWidth > el.clientWidth + 1;
    if (r.width && cut) wide.push(el.innerText.slice(0, 60));
  }
  return {page: document.documentElement.scrollWidth > window.innerWidth + 1, wide}; }"""


def test_text_reads_without_sideways_scrolling_at_200_percent(server, browser):
    # 200 % zoom of a 1280×720 window: the page lays out in 640×360 CSS pixels, drawn twice as large.
    context = signed_in_context(browser, server, "referent", viewport={"width": 640, "height": 360},
                                device_scale_factor=2)
    try:
        page = context.new_page()
        for path in ("vue_ensemble", "tendances", "alertes", "exports", "accessibilite"):
            page.goto(f"{server}/{path}", wait_until="commit")
            wait_idle(page)
            found = page.evaluate(OVERFLOW_JS)
            assert not found["page"], f"{path}: the page scrolls sideways"
            assert not found["wide"], f"{path}: text wider than the window: {found['wide'][:5]}"
    finally:
        context.close()
