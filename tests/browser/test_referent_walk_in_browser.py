"""The référente of Haute-Vienne prepares her COPIL, clicking as she does (issue 17, "Done when").

She signs in, imports the month's figures from the Import page, checks the
value on Tendances (reached by the menu), looks at the surveys under 75 % on
Alertes, then prepares and downloads the COPIL pack: one tab, no typed
address after the first.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from qualepref.ingest import samples
from tests.browser.helpers import click_nav, sign_in, value, wait_idle

pytestmark = pytest.mark.browser

TIMEOUT_MS = 180_000


def test_the_referente_imports_checks_and_downloads_the_copil_pack(server, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="fr-FR", accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(server, wait_until="commit")
        wait_idle(page)
        sign_in(page, "referent")

        click_nav(page, "Import")
        upload = tmp_path / "tableau-de-bord-87.xlsx"
        samples.write_long_xlsx(pd.DataFrame({
            "site_code": ["87"], "indicator_code": ["COURRIER_DELAI"],
            "period_start": pd.to_datetime(["2026-09-01"]), "period_kind": ["month"], "value": [11.5]}), upload)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
        confirm = page.get_by_role("button", name="Confirmer l'import")
        confirm.wait_for(timeout=TIMEOUT_MS)
        confirm.click()
        page.get_by_text(re.compile(r"Import n° \d+ enregistré")).wait_for(timeout=TIMEOUT_MS)
        wait_idle(page)

        click_nav(page, "Tendances")
        box = page.get_by_role("combobox", name="Indicateur", exact=True)
        box.click()
        box.fill("Délai moyen de réponse aux courriers")
        page.get_by_role("option", name="Délai moyen de réponse aux courriers", exact=True).click()
        wait_idle(page)
        assert value(page, "Indicateur") == "Délai moyen de réponse aux courriers"
        expander = page.locator("[data-testid='stExpander'] summary", has_text="Données du graphique").first
        expander.click()
        wait_idle(page)

        click_nav(page, "Alertes")
        page.get_by_text("Enquêtes sous 75 %", exact=True).click()
        page.wait_for_function("() => location.search.includes('alertes=enquetes')", timeout=60000)
        wait_idle(page)

        click_nav(page, "Pack COPIL et exports")
        page.get_by_role("button", name="Préparer le pack PowerPoint").click()
        download_button = page.get_by_role("button", name="Télécharger le pack (.pptx)")
        download_button.wait_for(timeout=TIMEOUT_MS)
        with page.expect_download(timeout=TIMEOUT_MS) as download_info:
            download_button.click()
        pack = tmp_path / download_info.value.suggested_filename
        download_info.value.save_as(pack)
        assert pack.suffix == ".pptx" and pack.read_bytes()[:2] == b"PK"
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()
