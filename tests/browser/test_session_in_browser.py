"""Links and reloads as people use them: a link from an e-mail, a *Voir la tendance* link opened in a
new tab, F5, signing out (issue 17 §1).

Before: the new tab showed the sign-in page under Streamlit's English "Page
not found" dialog, then the overview (the link's view was lost); F5 signed
the user out.
"""

from __future__ import annotations

import time

import pytest

from qualepref import alerts, sessions
from tests.browser.helpers import sign_in, signed_in_context, value, wait_idle

pytestmark = pytest.mark.browser

INDICATOR_LABEL = "Délai moyen de réponse aux courriers"


def _title(page) -> str:
    return page.locator('[data-testid="stMain"] h1').first.inner_text().strip()


def _no_english_dialog(page) -> None:
    text = page.locator("body").inner_text()
    assert "Page not found" not in text and "Page introuvable" not in text


def test_a_link_from_an_e_mail_opens_its_view_after_signing_in_and_survives_a_reload(server, browser):
    link = alerts.trend_links(["87"], modules=[1], indicators=["COURRIER_DELAI"])[0]
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(f"{server}/{link}", wait_until="commit")
        wait_idle(page)
        _no_english_dialog(page)
        assert page.get_by_text("Connectez-vous pour ouvrir la page « Tendances »").count() == 1
        sign_in(page, "referent")
        assert _title(page) == "Tendances"
        assert value(page, "Indicateur") == INDICATOR_LABEL
        assert "indicateur=COURRIER_DELAI" in page.url
        _no_english_dialog(page)

        page.reload(wait_until="commit")
        wait_idle(page)
        assert _title(page) == "Tendances", "F5 signed the user out"
        assert value(page, "Indicateur") == INDICATOR_LABEL
        assert page.get_by_role("button", name="Se déconnecter").count() == 1
    finally:
        context.close()


def test_a_trend_link_opens_in_a_new_tab_signed_in_and_signing_out_ends_the_session(server, browser):
    context = signed_in_context(browser, server, "referent")
    try:
        links = alerts.trend_links(["87", "87"], modules=[1, None], indicators=["COURRIER_DELAI", None],
                                   view="satisfaction")
        tab = context.new_page()
        tab.goto(f"{server}/{links[0]}", wait_until="commit")
        wait_idle(tab)
        _no_english_dialog(tab)
        assert _title(tab) == "Tendances"
        assert tab.get_by_role("tab", name="Satisfaction des usagers").get_attribute("aria-selected") == "true"

        token = next(c["value"] for c in context.cookies() if c["name"] == sessions.COOKIE_NAME)
        assert next(c for c in context.cookies() if c["name"] == sessions.COOKIE_NAME)["httpOnly"]
        assert tab.evaluate("document.cookie").find(sessions.COOKIE_NAME) == -1, "scripts must not read it"

        tab.get_by_role("button", name="Se déconnecter").click()
        tab.wait_for_function("() => !!document.querySelector('input[type=password]')", timeout=60000)
        wait_idle(tab)
        # The browser's copy is cleared, and the token itself no longer opens anything (a stolen cookie).
        deadline = time.monotonic() + 15
        while any(c["name"] == sessions.COOKIE_NAME for c in context.cookies()):
            assert time.monotonic() < deadline, "the session cookie outlived the sign-out"
            time.sleep(0.2)
        thief = browser.new_context()
        try:
            thief.add_cookies([{"name": sessions.COOKIE_NAME, "value": token, "url": server}])
            page = thief.new_page()
            page.goto(f"{server}/tendances", wait_until="commit")
            wait_idle(page)
            assert page.get_by_role("textbox", name="Mot de passe").count() == 1
        finally:
            thief.close()
    finally:
        context.close()


def test_a_page_the_role_is_not_offered_says_so_in_french(server, browser):
    context = signed_in_context(browser, server, "copil")
    try:
        page = context.new_page()
        page.goto(f"{server}/admin_comptes", wait_until="commit")
        wait_idle(page)
        _no_english_dialog(page)
        assert _title(page) == "Page non proposée à votre profil"
        assert page.locator('[data-testid="stDataFrame"]').count() == 0
    finally:
        context.close()
