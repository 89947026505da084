"""The first visit of a freshly started server is a bookmark to a page (named to run first).

The first run of a fresh server is the one Streamlit would serve from the
`pages/` folder, bypassing app.py (see `ui._leave_folder_navigation`): it
must show app.py's sign-in form at that address, and signing in must open
that page with app.py's menu, not the folder's file names.
"""

from __future__ import annotations

import pytest

from tests.browser.helpers import sign_in, wait_idle

pytestmark = pytest.mark.browser


def test_a_bookmark_on_a_fresh_server_goes_through_the_app_navigation(server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(f"{server}/tendances?indicateur=COURRIER_DELAI", wait_until="domcontentloaded")
        wait_idle(page, timeout_s=180)
        assert page.get_by_text("Connectez-vous pour ouvrir la page « Tendances »").count() == 1
        sign_in(page, "admin")
        assert page.locator('[data-testid="stMain"] h1').first.inner_text() == "Tendances"
        labels = page.locator(".st-key-navigation a").evaluate_all("els => els.map(e => e.innerText)")
        assert any("Vue d'ensemble" in label for label in labels), labels
        assert not any(label.strip() in {"app", "admin comptes", "tendances"} for label in labels), labels
    finally:
        context.close()
