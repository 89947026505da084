"""One pass through Debian's nginx running the shipped site (deploy/nginx/qualepref.conf) in front of the app.

As a user behind the ministry's proxy: HTTPS on loopback, sign in (a wrong
password first), a page of charts, an upload with its import, a COPIL pack
downloaded. Then what the proxy itself promises: its security headers on
every answer, a 25 MB upload refused by nginx (413) before the app sees it,
plain HTTP redirected. And the app's event log of that pass: one line per
sign-in, import and export, never the password.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from qualepref import auth, demo
from qualepref.access import Role
from qualepref.db import Database
from qualepref.ingest import samples
from tests import nginx_site
from tests.browser.conftest import CHROMIUM, streamlit_app
from tests.conftest import DEMO_END_MONTH

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "admin.proxy@interieur.gouv.fr"
PASSWORD = "cheval-agrafe-1789"
WRONG_PASSWORD = "mauvais-essai-4242"
TIMEOUT_MS = 120_000
IDLE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"], .stSpinner, [data-testid="stSkeleton"]')) return false;
  return [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
    .every(c => c.querySelector('.js-plotly-plot .main-svg'));
}"""


def _idle(page) -> None:
    page.wait_for_function(IDLE_JS, timeout=TIMEOUT_MS)
    time.sleep(0.3)
    page.wait_for_function(IDLE_JS, timeout=TIMEOUT_MS)


def _go(page, title: str) -> None:
    """Open a page from the sidebar and wait until it is drawn."""
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name=title, exact=True).click()
    page.locator('[data-testid="stMain"] h1', has_text=title).wait_for(timeout=TIMEOUT_MS)
    _idle(page)


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    """The app over a database with demonstration data and one administrator, behind nginx."""
    if not Path(nginx_site.NGINX).exists():
        pytest.skip("nginx absent: `make nginx` installs Debian's")
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium absent: `make browser` installs it")
    workdir = tmp_path_factory.mktemp("nginx")
    db_path = workdir / "app.duckdb"
    with Database(db_path) as db:
        demo.load(db, end_month=DEMO_END_MONTH)
        auth.create_account(db, actor="tests", email=ADMIN_EMAIL, display_name="Admin Proxy", role=Role.ADMIN,
                            password=PASSWORD)
        db.checkpoint()
    app_log = workdir / "streamlit.log"
    with streamlit_app(db_path, app_log, address="127.0.0.1") as (_, port), \
            nginx_site.running(workdir / "nginx", app_port=port) as (https, http):
        yield {"https": https, "http": http, "app_log": app_log, "nginx_dir": workdir / "nginx",
               "workdir": workdir}


@pytest.fixture(scope="module")
def user_pass(proxied, browser):
    """The user's pass through the proxy; returns what the later tests check."""
    base = proxied["https"]
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 720},
                                  locale="fr-FR", accept_downloads=True)
    page = context.new_page()
    seen: dict = {}
    try:
        first = page.goto(base, wait_until="domcontentloaded", timeout=TIMEOUT_MS)
        seen["document_headers"] = first.headers
        _idle(page)

        # Sign in: a wrong password first (refused), then the right one.
        for password in (WRONG_PASSWORD, PASSWORD):
            page.get_by_label("Adresse électronique").fill(ADMIN_EMAIL)
            page.get_by_role("textbox", name="Mot de passe").fill(password)
            page.get_by_role("button", name="Se connecter").click()
            if password == WRONG_PASSWORD:
                page.get_by_text("Adresse électronique ou mot de passe incorrect").wait_for(timeout=TIMEOUT_MS)
        page.locator('[data-testid="stMain"] h1', has_text="Vue d'ensemble").wait_for(timeout=TIMEOUT_MS)
        _idle(page)
        _go(page, "Tendances")  # a page of charts
        seen["charts"] = page.locator('[data-testid="stPlotlyChart"] .main-svg').count()
        seen["exceptions"] = page.locator('[data-testid="stException"]').count()

        # Upload and import a small file (the upload is a PUT through the proxy).
        # In-app navigation (the sidebar), as a user does: a reload would start a new session.
        _go(page, "Import")
        _idle(page)
        upload = proxied["workdir"] / "valeurs-87.xlsx"
        samples.write_long_xlsx(pd.DataFrame({
            "site_code": ["87", "87"], "indicator_code": ["COURRIER_DELAI", "COURRIEL_DELAI"],
            "period_start": pd.to_datetime(["2021-01-01", "2021-01-01"]), "period_kind": ["month", "month"],
            "value": [12.5, 3.0]}), upload)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
        confirm = page.get_by_role("button", name="Confirmer l'import")
        confirm.wait_for(timeout=TIMEOUT_MS)
        confirm.click()
        page.get_by_text(re.compile(r"Import n° \d+ enregistré")).wait_for(timeout=TIMEOUT_MS)

        # The COPIL pack, prepared then downloaded (a GET of /media/… through the proxy).
        _go(page, "Pack COPIL et exports")
        prefecture = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(has_text="Préfecture")
        prefecture.locator("input").click()
        page.keyboard.type("87 – ")  # the list is long: type to filter it, then take the match
        page.get_by_role("option", name=re.compile(r"^87 – ")).click()
        page.get_by_text(re.compile(r"\(87\) · période")).wait_for(timeout=TIMEOUT_MS)
        _idle(page)
        page.get_by_role("button", name="Préparer le pack PowerPoint").click()
        download_button = page.get_by_role("button", name="Télécharger le pack (.pptx)")
        download_button.wait_for(timeout=TIMEOUT_MS)
        with page.expect_download(timeout=TIMEOUT_MS) as download_info:
            download_button.click()
        download = download_info.value
        seen["pack_name"] = download.suggested_filename
        download.save_as(proxied["workdir"] / "pack.pptx")
        seen["pack_bytes"] = (proxied["workdir"] / "pack.pptx").read_bytes()

        # Straight HTTP requests with the session's cookies, as a script on the user's machine would send.
        big = b"\0" * (25 * 1024 * 1024)
        refused = context.request.put(f"{base}/_stcore/upload_file/session/fichier", timeout=TIMEOUT_MS,
                                      multipart={"file": {"name": "gros.xlsx", "mimeType": "application/octet-stream",
                                                          "buffer": big}})
        seen["big_upload"] = (refused.status, refused.text(), refused.headers)
        small = context.request.put(f"{base}/_stcore/upload_file/session/fichier", timeout=TIMEOUT_MS,
                                    multipart={"file": {"name": "petit.csv", "mimeType": "text/csv",
                                                        "buffer": b"a;b\n1;2\n"}})
        seen["small_upload_status"] = small.status
        plain = context.request.get(f"{proxied['http']}/tendances", max_redirects=0, timeout=TIMEOUT_MS)
        seen["plain_http"] = (plain.status, plain.headers.get("location", ""))
        metrics = context.request.get(f"{base}/_stcore/metrics", timeout=TIMEOUT_MS)
        seen["metrics_status"] = metrics.status
    finally:
        context.close()
    time.sleep(0.5)  # let the app flush its last log lines
    seen["app_log"] = proxied["app_log"].read_text(encoding="utf-8", errors="replace")
    seen["access_log"] = (proxied["nginx_dir"] / "access.log").read_text(encoding="utf-8", errors="replace")
    return seen


def test_signed_in_through_the_proxy_and_saw_the_charts(user_pass):
    assert user_pass["exceptions"] == 0
    assert user_pass["charts"] > 0
    # The session's WebSocket went through nginx (101 Switching Protocols), as did the upload and the download.
    access = user_pass["access_log"]
    assert re.search(r'"GET /_stcore/stream HTTP/1.1" 101 ', access), access[-2000:]
    assert re.search(r'"PUT /_stcore/upload_file/\S+ HTTP/[0-9.]+" 204 ', access), access[-2000:]
    assert re.search(r'"GET /media/\S+ HTTP/[0-9.]+" 200 ', access), access[-2000:]


def test_the_pack_downloaded_through_the_proxy_is_a_presentation(user_pass):
    assert user_pass["pack_name"].endswith(".pptx")
    with zipfile.ZipFile(io.BytesIO(user_pass["pack_bytes"])) as pack:
        assert "ppt/presentation.xml" in pack.namelist()


def test_security_headers_on_pages_and_on_errors(user_pass):
    _, _, refused_headers = user_pass["big_upload"]
    for headers in (user_pass["document_headers"], refused_headers):
        assert headers.get("content-security-policy") == "frame-ancestors 'self'"
        assert headers.get("x-content-type-options") == "nosniff"
        assert headers.get("referrer-policy") == "same-origin"
        assert "nginx/" not in headers.get("server", "")  # no version given away


def test_a_25_mb_upload_is_refused_by_the_proxy_before_the_app(user_pass):
    status, body, _ = user_pass["big_upload"]
    assert status == 413
    assert "<center>nginx</center>" in body  # nginx's own page: the app never received the body
    assert "Upload rejected" not in user_pass["app_log"]
    # The same address with a small body does reach the app (which wants its XSRF header): the
    # 413 above is the size, not a closed path.
    assert user_pass["small_upload_status"] in (400, 403)


def test_plain_http_is_redirected_and_internal_metrics_are_closed(user_pass):
    status, location = user_pass["plain_http"]
    assert status == 301 and location.startswith("https://") and location.endswith("/tendances")
    assert user_pass["metrics_status"] == 404


def test_the_event_log_has_one_line_per_sign_in_import_and_export_and_no_password(user_pass):
    lines = [line for line in user_pass["app_log"].splitlines() if line.startswith("event=")]
    sign_ins = [line for line in lines if line.startswith("event=sign_in ")]
    assert sign_ins == [
        f"event=sign_in outcome=failure reason=wrong_password user={ADMIN_EMAIL} failures=1 locked=false",
        f"event=sign_in outcome=success user={ADMIN_EMAIL} role=admin",
    ]
    imports = [line for line in lines if line.startswith("event=import ")]
    assert len(imports) == 1
    assert re.match(rf"event=import outcome=success user={re.escape(ADMIN_EMAIL)} file=valeurs-87.xlsx "
                    r"sha256=[0-9a-f]{16} kind=indicateurs sites=87 n_sites=1 upload_id=\d+ rows_written=2 "
                    r"rows_replaced=0 rows_deleted=0$", imports[0]), imports[0]
    exports = [line for line in lines if line.startswith("event=export ")]
    assert len(exports) == 1
    assert exports[0].startswith(f"event=export outcome=success user={ADMIN_EMAIL} kind=pptx ")
    assert " site=87 " in exports[0] and ".pptx bytes=" in exports[0]
    assert "\x1b[" not in user_pass["app_log"]  # no terminal colours for journald
    assert PASSWORD not in user_pass["app_log"] and WRONG_PASSWORD not in user_pass["app_log"]
