"""A real server (`streamlit run serve.py`) on a free port, and Debian's Chromium.

One server for the whole browser suite, on a copy of the demonstration
database with one account per profile (`ACCOUNTS`, password `PASSWORD`):
tests sign in as a person does, and a browser context that signed in once
keeps its session cookie for every page it opens. Everything runs on
localhost: the browser test closes the network to anything else.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
TIMINGS_KEY = pytest.StashKey[dict]()
PASSWORD = "motdepasse-de-test-2026"
# Profile → (e-mail, display name, prefecture): the personas of the walks.
ACCOUNTS = {
    "admin": ("admin@interieur.gouv.fr", "Alice Administratrice", None),
    "referent": ("referente.87@interieur.gouv.fr", "Rose Référente", "87"),
    "copil": ("copil.87@interieur.gouv.fr", "Claude Copil", "87"),
    "ministere": ("analyste@interieur.gouv.fr", "Marc Ministère", None),
}


def prepare_database(path: Path, demo_template: Path) -> None:
    """The demonstration data and one account per profile, written before the server opens the file."""
    from qualepref import auth
    from qualepref.db import Database

    shutil.copy(demo_template, path)
    with Database(path) as db:
        for role, (email, name, site) in ACCOUNTS.items():
            auth.create_account(db, actor="test", email=email, display_name=name, role=role, site_code=site,
                                password=PASSWORD)
        db.checkpoint()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_app(db_path: Path, log_path: Path, *, address: str = "localhost", script: str = "serve.py"):
    """A real server (`streamlit run serve.py`, or `script`) on a free port over `db_path`; yields (base URL, port).

    Its standard output and error (Streamlit's messages and the app's event log) go to `log_path`.
    """
    port = _free_port()
    env = {**os.environ, "QUALEPREF_DB": str(db_path), "PYTHONPATH": str(ROOT)}
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
             "--server.address", address, "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        url = f"http://{address}:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start: see {log_path}")
                time.sleep(0.3)
            yield url, port
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="session")
def server(tmp_path_factory, demo_template):
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium absent: `make browser` installs it")
    workdir = tmp_path_factory.mktemp("browser")
    prepare_database(workdir / "app.duckdb", demo_template)
    with streamlit_app(workdir / "app.duckdb", workdir / "streamlit.log") as (url, _):
        yield url


@pytest.fixture(scope="session")
def discovery_server(tmp_path_factory):
    """A fresh installation: an empty database the app fills with demonstration data on the first visit,
    no account, hence discovery mode (started only for the tests of that state)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium absent: `make browser` installs it")
    workdir = tmp_path_factory.mktemp("decouverte")
    with streamlit_app(workdir / "app.duckdb", workdir / "streamlit.log") as (url, _):
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            # Network closed to anything but localhost: every other request goes to a dead proxy
            # (loopback is never proxied) and fails; the test records such attempts.
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--proxy-server=http://127.0.0.1:9"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def page_timings(request, tmp_path_factory):
    """Seconds from navigation start to idle, per page; written to a file and printed in the summary."""
    timings = request.config.stash.setdefault(TIMINGS_KEY, {})
    yield timings
    path = tmp_path_factory.getbasetemp() / "page_timings.tsv"
    path.write_text("".join(f"{page}\t{seconds:.2f}\n" for page, seconds in timings.items()), encoding="utf-8")


def pytest_terminal_summary(terminalreporter, config):
    timings = config.stash.get(TIMINGS_KEY, {})
    if timings:
        terminalreporter.section("Temps d'affichage des pages (serveur chaud, navigation → page inactive)")
        for page, seconds in timings.items():
            terminalreporter.write_line(f"{page:<24} {seconds:6.2f} s")
