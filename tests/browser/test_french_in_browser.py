"""French where Streamlit and Plotly write English and offer no setting (issue 17 §6).

The page test checks every page's visible text and accessible names for
English words (helpers.english_words); this one goes where the page test
does not: the sign-in form being typed in, an address that does not exist,
the uploader, and the tooltips that appear on hover.
"""

from __future__ import annotations

import time

import pytest

from tests.browser.helpers import english_words, signed_in_context, wait_idle

pytestmark = pytest.mark.browser


def test_the_sign_in_form_while_typing(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="fr-FR")
    try:
        page = context.new_page()
        page.goto(f"{server}/connexion", wait_until="commit")
        wait_idle(page)
        page.get_by_label("Adresse électronique").fill("quelqu.un@interieur.gouv.fr")
        page.get_by_role("textbox", name="Mot de passe").fill("xxxxxxxxxxxx")
        time.sleep(0.5)
        text = page.locator("body").inner_text()
        assert "Appuyez sur Entrée pour envoyer le formulaire" in text
        assert page.get_by_role("button", name="Afficher le mot de passe").count() == 1
        assert page.get_by_role("link", name="Aller au contenu principal").count() <= 1
        assert not english_words(page), english_words(page)
    finally:
        context.close()


def test_an_address_that_does_not_exist(server, browser):
    context = signed_in_context(browser, server, "referent", viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        page.goto(f"{server}/nimporte-quoi", wait_until="commit")
        wait_idle(page)
        text = page.locator("body").inner_text()
        assert "Page not found" not in text
        assert not english_words(page), english_words(page)
    finally:
        context.close()


def test_the_uploader_and_the_tooltips(server, browser):
    context = signed_in_context(browser, server, "referent", viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        page.goto(f"{server}/import_donnees", wait_until="commit")
        wait_idle(page)
        zone = page.locator('[data-testid="stFileUploaderDropzone"]').first
        text = zone.inner_text()
        assert "Parcourir" in text and "Mo par fichier" in text, text
        assert "XLS," not in text and not text.rstrip().endswith("XLS"), "the refused .xls is not advertised"
        assert not english_words(page), english_words(page)

        # Chart toolbar: its tooltips (Plotly's data-title) and a table's toolbar on hover.
        page.goto(f"{server}/tendances?indicateur=COURRIER_DELAI", wait_until="commit")
        wait_idle(page)
        chart = page.locator('[data-testid="stPlotlyChart"]').first
        chart.hover()
        time.sleep(0.5)
        titles = page.locator(".modebar-btn").evaluate_all("els => els.map(e => e.getAttribute('data-title'))")
        assert titles and "Télécharger l'image (PNG)" in titles, titles
        button = page.locator(".modebar-btn").first
        button.hover()
        time.sleep(0.3)
        page.locator('[data-testid="stExpander"] summary').first.click()
        time.sleep(1)
        page.locator('[data-testid="stDataFrame"]').first.hover()
        time.sleep(0.5)
        assert not english_words(page), english_words(page)
    finally:
        context.close()


def test_a_date_field_and_its_calendar(server, browser):
    """st.date_input labels its segments in English whatever the browser's language (« day, Échéance »,
    « 12 – December », « Choose date »); its calendar follows the browser (French)."""
    context = signed_in_context(browser, server, "admin", viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        page.goto(f"{server}/admin_referentiel", wait_until="commit")
        wait_idle(page)
        field = page.locator('[data-testid="stDateInput"]').first
        field.scroll_into_view_if_needed()
        names = field.locator("[aria-label]").evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
        assert any(n.startswith("jour, ") for n in names) and any(n.startswith("mois, ") for n in names), names
        assert not english_words(page), english_words(page)
        field.get_by_role("button", name="Choisir une date").click()
        time.sleep(0.8)
        assert page.get_by_role("button", name="Mois suivant").count() == 1
        assert not english_words(page), english_words(page)
    finally:
        context.close()


def test_the_uploader_refuses_a_file_too_large_in_french(server, browser):
    """Refused by the browser before sending (« File must be 20.0MB or smaller. » in Streamlit's words)."""
    context = signed_in_context(browser, server, "referent", viewport={"width": 1280, "height": 720})
    try:
        page = context.new_page()
        page.goto(f"{server}/import_donnees", wait_until="commit")
        wait_idle(page)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            [{"name": "enorme.csv", "mimeType": "text/csv", "buffer": b"x" * (21 * 1024 * 1024)}])
        uploader = page.locator('[data-testid="stFileUploader"]').first
        uploader.get_by_text("Fichier trop volumineux").wait_for(timeout=30000)
        assert not english_words(page), english_words(page)
    finally:
        context.close()
