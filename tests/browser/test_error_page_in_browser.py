"""An error that escapes a page reads in French, without detail and without links to the Internet (audit, round 2).

Streamlit replaces the exception by a generic English text (`client.showErrorDetails = "none"`) and, on
localhost, adds « Copy / Ask Google / Ask ChatGPT ». A page of the application that fails on purpose
would be a page to ship; this server runs a one-line script instead, framed by the application's chrome
(`chrome.french_and_accessible`, as `app.py` does) with the project's `.streamlit/config.toml`.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import streamlit_app
from tests.browser.helpers import english_words, wait_idle

pytestmark = pytest.mark.browser

SCRIPT = """import streamlit as st

from qualepref import chrome

chrome.french_and_accessible()
st.title("Page en erreur")
raise RuntimeError("/srv/qualepref/secret.py : détail interne")
"""


def test_an_uncaught_error_is_said_in_french_without_its_detail(browser, tmp_path):
    script = tmp_path / "page_en_erreur.py"
    script.write_text(SCRIPT, encoding="utf-8")
    with streamlit_app(tmp_path / "vide.duckdb", tmp_path / "streamlit.log", script=str(script)) as (url, _):
        context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="fr-FR")
        try:
            page = context.new_page()
            page.goto(url, wait_until="commit")
            error = page.locator('[data-testid="stException"]')
            error.wait_for(timeout=60000)
            wait_idle(page)
            text = error.inner_text()
            assert "Une erreur est survenue sur cette page" in text, text
            assert "secret" not in text and "RuntimeError" not in text
            assert error.get_by_role("link").count() == 0 and error.get_by_role("button").count() == 0
            assert not english_words(page), english_words(page)
        finally:
            context.close()


def test_a_lost_connection_is_said_in_french(browser, tmp_path):
    """The server stops under an open page: Streamlit's connection dialog, translated."""
    script = tmp_path / "page.py"
    script.write_text(SCRIPT.rsplit("\nraise", 1)[0] + "\n", encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="fr-FR")
    try:
        page = context.new_page()
        with streamlit_app(tmp_path / "vide.duckdb", tmp_path / "streamlit.log", script=str(script)) as (url, _):
            page.goto(url, wait_until="commit")
            wait_idle(page)
        page.get_by_text("Erreur de connexion").first.wait_for(timeout=60000)
        assert page.get_by_text("Le serveur de l'application ne répond pas").count() >= 1
        assert not english_words(page), english_words(page)
    finally:
        context.close()
