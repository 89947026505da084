"""Choices survive what people do: click the sidebar through every page in one session, come back, reload.

Issue 17 §1: going from *Tendances* to *Alertes* by the sidebar reset the
period to one month of 2023, switched meeting mode off and reset the
ministry's region and prefecture, on most page changes. Opening pages by
their URL in fresh tabs never showed it: this test clicks, in one tab.
"""

from __future__ import annotations

import pytest

from tests.browser.helpers import (
    choose,
    click_nav,
    flip,
    params,
    sidebar,
    signed_in_context,
    switch,
    value,
    wait_idle,
)

pytestmark = pytest.mark.browser

MEETING = "Mode réunion (vidéoprojecteur)"
CHOSEN = {"Région": "Nouvelle-Aquitaine", "Préfecture": "87 – Haute-Vienne", "Début": "mars 2025",
          "Fin": "juin 2026"}
URL_CHOSEN = {"region": "75", "pref": "87", "debut": "2025-03", "fin": "2026-06", "reunion": "1"}


def _check_state(page, where: str) -> None:
    """Every filter the page shows holds the choice, and the URL says the same."""
    bar = sidebar(page)
    shown = {label: value(page, label, where=bar) for label in CHOSEN}
    shown = {label: text for label, text in shown.items() if text is not None}
    assert shown == {label: CHOSEN[label] for label in shown}, where
    toggle = switch(page, MEETING, where=bar)
    if toggle.count():
        assert toggle.is_checked(), f"{where}: meeting mode switched off"
    url = params(page)
    expected_keys = {"Région": "region", "Préfecture": "pref", "Début": "debut", "Fin": "fin"}
    for label in shown:
        key = expected_keys[label]
        assert url.get(key) == URL_CHOSEN[key], (where, url)


def test_filters_survive_clicking_through_every_page_and_a_reload(ministry_page):
    page = ministry_page
    click_nav(page, "Tendances")
    bar = sidebar(page)
    for label, option in CHOSEN.items():
        choose(page, label, option, where=bar)
    flip(page, MEETING, where=bar)
    _check_state(page, "Tendances")

    titles = [t for t in bar.get_by_role("link").evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label') || e.innerText.split('\\n').pop().trim())")]
    assert "Alertes" in titles and "Tendances" in titles, titles
    # Every page once, then back and forth between the two pages of the report (8 of 11 failed there).
    walk = [*titles, "Alertes", "Tendances", "Alertes", "Tendances"]
    for title in walk:
        click_nav(page, title)
        _check_state(page, title)

    page.reload(wait_until="commit")
    wait_idle(page)
    _check_state(page, "Tendances after a reload")


@pytest.fixture
def ministry_page(server, browser):
    """One tab of the ministry's analyst, signed in."""
    context = signed_in_context(browser, server, "ministere")
    page = context.new_page()
    page.goto(server, wait_until="commit")
    wait_idle(page)
    yield page
    context.close()
