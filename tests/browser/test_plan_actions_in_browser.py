"""The plan d'actions in Chromium at 1280 × 720 (a COPIL's projector): the référente opens it from the menu,
reads the late actions, opens one with its effect, creates an action from an alert and downloads the plan."""

from __future__ import annotations

import re

import openpyxl
import pytest

from tests.browser.helpers import click_nav, sign_in, wait_idle

pytestmark = pytest.mark.browser

TIMEOUT_MS = 180_000


def test_the_referente_follows_her_plan_and_creates_an_action_from_an_alert(server, browser, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="fr-FR", accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(server, wait_until="commit")
        wait_idle(page)
        sign_in(page, "referent")

        click_nav(page, "Plan d'actions")
        page.get_by_role("heading", name="Plan d'actions").first.wait_for(timeout=TIMEOUT_MS)
        late = page.locator('[data-testid="stMetric"]', has_text="En retard")
        assert int(late.locator('[data-testid="stMetricValue"]').inner_text().strip()) >= 1
        assert page.get_by_text(re.compile("« ⚠ en retard » : à lancer ou en cours")).count() == 1
        # No horizontal scrolling on the projector.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        # The first action listed in « Une action » is a late one: its effect block or its details show.
        page.get_by_text(re.compile(r"^Décidée le \d\d/\d\d/\d{4}")).first.wait_for(timeout=TIMEOUT_MS)

        with page.expect_download(timeout=TIMEOUT_MS) as download_info:
            page.get_by_role("button", name="Télécharger le plan (Excel)").click()
        plan = tmp_path / download_info.value.suggested_filename
        download_info.value.save_as(plan)
        sheet = openpyxl.load_workbook(plan).active
        assert [c.value for c in sheet[1]][:4] == ["N°", "Site", "Intitulé", "Statut"] and sheet.max_row >= 3

        # From Alertes: the link of an alert without action opens the prefilled form.
        click_nav(page, "Alertes")
        href = page.evaluate(
            "() => [...document.querySelectorAll('a')].map(a => a.href).find(h => h.includes('origine='))")
        if href is None:  # the data grid draws its cells on a canvas: the link as the Alertes page builds it
            from qualepref import actions

            href = server + "/" + actions.create_link(
                "87", "indicateur", actions.indicator_key("COURRIER_DELAI", "87", "2026-09-01"), module=1,
                origin_label="COURRIER_DELAI hors cible 2 périodes de suite — 16,2 j, sept. 2026")
        page.goto(href, wait_until="commit")
        wait_idle(page)
        page.get_by_text("Nouvelle action").first.wait_for(timeout=TIMEOUT_MS)
        page.get_by_text(re.compile("^Origine : ")).first.wait_for(timeout=TIMEOUT_MS)
        page.get_by_placeholder("Ex. : Renforcer l").fill("Affiche des délais de réponse au guichet")
        page.get_by_role("button", name="Créer l'action").click()
        page.get_by_text("Action créée.").wait_for(timeout=TIMEOUT_MS)
        wait_idle(page)
        assert page.get_by_text("Affiche des délais de réponse au guichet").count() >= 1
        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    finally:
        context.close()
