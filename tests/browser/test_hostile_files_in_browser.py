"""Hostile files dropped on the Import page of a real server, in Chromium at 1280×720.

The file that makes the reading library abort its process ends only the parsing
worker: the page shows a French refusal (no traceback), the server answers its
health check and serves the next page, and a good file is previewed after it.
"""

from __future__ import annotations

import os
import urllib.request

import pytest

from qualepref.bench import hostile_files
from tests.browser.helpers import signed_in_context, wait_idle

pytestmark = pytest.mark.browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "Site;Indicateur;Période;Valeur\n87;COURRIER_DELAI;janv. 2019;12,5\n".encode()


def _drop(page, name: str, content: bytes, mime: str) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        [{"name": name, "mimeType": mime, "buffer": content}])


def test_a_file_that_crashes_the_reader_leaves_the_server_serving(server, browser):
    # The référente of Haute-Vienne, signed in (the session cookie keeps her signed in across the gotos).
    context = signed_in_context(browser, server, "referent", viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(f"{server}/import_donnees", wait_until="domcontentloaded")
        wait_idle(page, timeout_s=180)
        main = page.locator('[data-testid="stMain"]')
        _drop(page, "piege.xlsx", hostile_files.shared_strings_count(), XLSX)
        # The whole file is refused: one alert says why and what to do, no table of cells.
        alert = main.locator('[data-testid="stAlert"]', has_text="refusé par sécurité").first
        alert.wait_for(timeout=60000)
        wait_idle(page)
        alert.scroll_into_view_if_needed()
        assert "Fichier refusé :" in alert.inner_text() and "enregistrez-le" in alert.inner_text()
        assert "Corrigez les cellules" not in main.inner_text()
        assert main.locator('[data-testid="stDataFrame"]').count() == 0
        chip = page.locator('[data-testid="stFileUploader"]').first.inner_text()
        assert "Ko" in chip and "KB" not in chip, chip  # the dropped file's size, in French
        if os.environ.get("QUALEPREF_SCREENSHOTS"):  # to look at the page as a user sees it
            page.screenshot(path=os.environ["QUALEPREF_SCREENSHOTS"] + "/import-refus.png")
        text = main.inner_text()
        assert "Traceback" not in text and "site-packages" not in text and "Error" not in text
        assert main.get_by_role("button", name="Confirmer l'import").is_disabled()
        with urllib.request.urlopen(f"{server}/_stcore/health", timeout=10) as health:
            assert health.status == 200
        # The same server, the same tab: the next file is read by a fresh worker and previewed.
        _drop(page, "bon.csv", CSV, "text/csv")
        main.get_by_text("Nouvelles").first.wait_for(timeout=60000)
        wait_idle(page)
        main.get_by_text("Nouvelles").first.scroll_into_view_if_needed()
        if os.environ.get("QUALEPREF_SCREENSHOTS"):
            page.screenshot(path=os.environ["QUALEPREF_SCREENSHOTS"] + "/import-apres.png")
        page.goto(f"{server}/vue_ensemble", wait_until="domcontentloaded")
        wait_idle(page, timeout_s=120)
        assert page.locator('[data-testid="stMain"] h1').count() == 1
    finally:
        context.close()
