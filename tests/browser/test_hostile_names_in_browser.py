"""A hostile file name in Chromium: shown as typed, no image fetched, no link; discovery mode never writes.

The server of these tests runs on the demonstration data in discovery mode, as
a fresh installation does: the Import page previews the file as the
administrator would see it, and refuses to confirm it.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from qualepref.access import DISCOVERY_READ_ONLY
from tests.browser.helpers import wait_idle

pytestmark = pytest.mark.browser

# The image address is on localhost (a closed port), so the request would be made, and seen.
HOSTILE = "![x](http://127.0.0.1:9/pixel.png) **gras** <img src=x onerror=alert(1)> https://evil.example.csv"
CSV = "Site;Indicateur;Période;Valeur\n87;COURRIER_DELAI;janv. 2019;12,5\n".encode()


def test_hostile_file_name_is_shown_as_text(discovery_server, browser):
    server = discovery_server
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="fr-FR")
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        page.goto(f"{server}/import_donnees", wait_until="domcontentloaded")
        wait_idle(page, timeout_s=180)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            [{"name": HOSTILE, "mimeType": "text/csv", "buffer": CSV}])
        heading = page.locator('[data-testid="stMain"] [data-testid="stHeading"]', has_text="pixel.png")
        heading.first.wait_for(timeout=60000)
        wait_idle(page)
        shown = heading.first.inner_text().replace("\u2060", "")
        assert shown == HOSTILE, shown
        inside = heading.first.inner_html()
        assert "<img" not in inside and "<a " not in inside and "<strong" not in inside
        main = page.locator('[data-testid="stMain"]')
        assert main.locator("img").count() == 0, "no image drawn from a file name"
        assert not [u for u in requests if urlparse(u).port == 9 or "evil.example" in u], requests
        assert not dialogs, "no script ran"
        # Discovery mode: the preview is there, the confirmation is not possible.
        assert main.get_by_text("Nouvelles").count() >= 1
        confirm = main.get_by_role("button", name="Confirmer l'import")
        assert confirm.is_disabled()
        assert main.get_by_text(DISCOVERY_READ_ONLY[:40]).count() >= 1
    finally:
        context.close()
