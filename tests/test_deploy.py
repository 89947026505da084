"""The files under deploy/: nginx -t, systemd-analyze verify, limits said alike, the backup timer's command run."""

from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from datetime import datetime
from pathlib import Path

import pytest

from qualepref import backups, config
from qualepref.db import Database
from tests import nginx_site
from tests.conftest import ROOT

SYSTEMD = ROOT / "deploy" / "systemd"
UNITS = ("qualepref.service", "qualepref-backup.service", "qualepref-backup.timer")
SHIPPED_PYTHON = "/opt/qualepref/.venv/bin/python"
needs_nginx = pytest.mark.skipif(not Path(nginx_site.NGINX).exists(), reason="nginx absent: `make deploy-tools`")
needs_systemd = pytest.mark.skipif(not shutil.which("systemd-analyze"),
                                   reason="systemd-analyze absent: `make deploy-tools`")


def unit(name: str) -> configparser.ConfigParser:
    """A unit file's keys (a key given several times keeps its last value; enough for the checks here)."""
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str
    parser.read_string(re.sub(r"\\\n\s*", " ", (SYSTEMD / name).read_text(encoding="utf-8")))
    return parser


def environment(name: str) -> dict[str, str]:
    text = (SYSTEMD / name).read_text(encoding="utf-8")
    return dict(m.groups() for m in re.finditer(r"^Environment=(\w+)=(.*)$", text, re.M))


# -- nginx -----------------------------------------------------------------------------------
@needs_nginx
def test_nginx_accepts_the_shipped_site(tmp_path):
    """`nginx -t` on the shipped file; only the certificate paths point to a test certificate."""
    cert, key = nginx_site.make_certificate(tmp_path)
    site = tmp_path / "qualepref.conf"
    site.write_text(nginx_site.substitute(nginx_site.SITE.read_text(encoding="utf-8"), [
        ("/etc/ssl/qualepref/qualepref.crt;", f"{cert};"), ("/etc/ssl/qualepref/qualepref.key;", f"{key};")]))
    main = tmp_path / "nginx.conf"
    main.write_text(nginx_site.main_config(tmp_path, site), encoding="utf-8")
    checked = nginx_site.check_config(main)
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


@needs_nginx
def test_nginx_check_fails_on_a_broken_site(tmp_path):
    """The check above can fail: a misspelt directive is refused."""
    cert, key = nginx_site.make_certificate(tmp_path)
    site = tmp_path / "qualepref.conf"
    text = nginx_site.site_for_test(app_port=1, https_port=2, http_port=3, cert=cert, key=key)
    site.write_text(text.replace("client_max_body_size 21m;", "client_max_body_sise 21m;"))
    main = tmp_path / "nginx.conf"
    main.write_text(nginx_site.main_config(tmp_path, site), encoding="utf-8")
    checked = nginx_site.check_config(main)
    assert checked.returncode != 0 and "client_max_body_sise" in checked.stderr


def test_the_upload_limit_is_the_same_everywhere():
    """App (QUALEPREF_MAX_UPLOAD_MB), Streamlit (server.maxUploadSize), service and proxy agree."""
    app_mb = config.max_upload_bytes() // (1024 * 1024)
    streamlit_mb = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    env = environment("qualepref.service")
    assert app_mb == streamlit_mb == int(env["QUALEPREF_MAX_UPLOAD_MB"]) == int(env["STREAMLIT_SERVER_MAX_UPLOAD_SIZE"])
    site = nginx_site.SITE.read_text(encoding="utf-8")
    upload_block = site[site.index("location /_stcore/upload_file/"):]
    upload_block = upload_block[:upload_block.index("}")]
    # Streamlit allows itself 1 MB of multipart framing above the file's limit; the proxy too.
    assert re.search(r"client_max_body_size (\d+)m;", upload_block).group(1) == str(app_mb + 1)
    # Everywhere else no body is expected.
    assert re.search(r"^    client_max_body_size 1m;$", site, re.M)


def test_the_proxy_forwards_to_the_address_the_service_listens_on():
    service = unit("qualepref.service")["Service"]
    argv = shlex.split(service["ExecStart"])
    address, port = argv[argv.index("--server.address") + 1], argv[argv.index("--server.port") + 1]
    assert address == "127.0.0.1"  # never exposed but through the proxy
    assert f"server {address}:{port};" in nginx_site.SITE.read_text(encoding="utf-8")


# -- systemd ---------------------------------------------------------------------------------
def test_the_service_runs_as_its_own_user_with_private_state_and_restarts_on_failure():
    service = unit("qualepref.service")["Service"]
    assert service["User"] == service["Group"] == "qualepref"
    assert service["Restart"] == "on-failure"
    assert service["UMask"] == "0077" and service["StateDirectoryMode"] == "0700"
    assert environment("qualepref.service")["QUALEPREF_DB"].startswith(f"/var/lib/{service['StateDirectory']}/")
    for key in ("NoNewPrivileges", "ProtectHome", "PrivateTmp", "PrivateDevices"):
        assert service[key] == "yes", key
    assert service["ProtectSystem"] == "strict" and service["CapabilityBoundingSet"] == ""
    backup = unit("qualepref-backup.service")["Service"]
    assert backup["User"] == "qualepref" and backup["UMask"] == "0077"
    assert environment("qualepref-backup.service")["QUALEPREF_DB"] == environment("qualepref.service")["QUALEPREF_DB"]


@needs_systemd
def test_systemd_accepts_the_units(tmp_path):
    """`systemd-analyze verify` (its warnings count as failures); the venv's python is this one."""
    for name in UNITS:
        text = (SYSTEMD / name).read_text(encoding="utf-8").replace(SHIPPED_PYTHON, sys.executable)
        (tmp_path / name).write_text(text, encoding="utf-8")
    checked = subprocess.run(["systemd-analyze", "verify", "--man=no", *(str(tmp_path / n) for n in UNITS)],
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0 and not checked.stderr.strip(), checked.stderr
    calendar = unit("qualepref-backup.timer")["Timer"]["OnCalendar"]
    nightly = subprocess.run(["systemd-analyze", "calendar", calendar], capture_output=True, text=True, timeout=30)
    assert nightly.returncode == 0 and "02:30:00" in nightly.stdout


@needs_systemd
def test_systemd_verify_reports_a_broken_unit(tmp_path):
    text = (SYSTEMD / "qualepref.service").read_text(encoding="utf-8").replace(SHIPPED_PYTHON, sys.executable)
    (tmp_path / "qualepref.service").write_text(text.replace("Restart=on-failure", "Restart=parfois"))
    checked = subprocess.run(["systemd-analyze", "verify", "--man=no", str(tmp_path / "qualepref.service")],
                             capture_output=True, text=True, timeout=60)
    assert "parfois" in checked.stderr


# -- the backup timer's command, run ----------------------------------------------------------
def _run(argv: list[str], db_file: Path, umask: int = 0o022) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={"QUALEPREF_DB": str(db_file), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
                          preexec_fn=lambda: os.umask(umask))


def test_the_backup_timers_command_backs_up_and_a_restore_gives_the_same_database(demo_db_path, tmp_path):
    """qualepref-backup.service's ExecStart as shipped (python and folder substituted), then the restore drill."""
    with Database(demo_db_path) as db:  # an account too: restored like everything else
        from qualepref import auth
        from qualepref.access import Role

        auth.create_account(db, actor="tests", email="admin@interieur.gouv.fr", display_name="A", role=Role.ADMIN)
        before_counts, before_version = backups.table_counts(db), db.data_version()
    folder = tmp_path / "sauvegardes"
    argv = shlex.split(unit("qualepref-backup.service")["Service"]["ExecStart"])
    assert argv[0] == SHIPPED_PYTHON and argv[1:4] == ["-m", "qualepref", "sauvegarde-nocturne"]
    argv[0], argv[4] = sys.executable, str(folder)
    service = unit("qualepref-backup.service")["Service"]
    done = _run(argv, demo_db_path, umask=int(service["UMask"], 8))
    assert done.returncode == 0, done.stderr
    [backup] = list(folder.iterdir())
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{6}", backup.name)
    # Under the unit's UMask, nothing of the backup is readable by another user.
    assert all(p.stat().st_mode & 0o077 == 0 for p in [folder, backup, *backup.rglob("*")])

    restored = tmp_path / "restauree" / "essai.duckdb"
    done = _run([sys.executable, "-m", "qualepref", "restore", str(backup)], restored)
    assert done.returncode == 0, done.stderr
    with Database(restored, read_only=True, migrate=False) as db:
        assert backups.table_counts(db) == before_counts
        assert db.data_version() == before_version
    assert sum(before_counts.values()) > 10_000
    state = _run([sys.executable, "-m", "qualepref", "etat"], restored)
    assert f"data_version : {before_version}" in state.stdout


def test_rotation_keeps_the_most_recent_and_drops_half_written_ones():
    names = ["2026-11-01T023000", "2026-11-03T023000", "2026-11-02T023000", "2026-11-04T023000.partiel",
             "notes-de-l-exploitant", "2026-11-05T023000"]
    assert backups.to_remove(names, keep=2) == ["2026-11-04T023000.partiel", "2026-11-01T023000",
                                                 "2026-11-02T023000"]
    assert backups.to_remove(names, keep=10) == ["2026-11-04T023000.partiel"]


def test_nightly_backups_rotate_in_a_real_folder(demo_db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("QUALEPREF_DB", str(demo_db_path))
    folder = tmp_path / "sauvegardes"
    for day in (1, 2, 3):
        backups.nightly(folder, keep=2, now=datetime(2026, 11, day, 2, 30))
    assert sorted(p.name for p in folder.iterdir()) == ["2026-11-02T023000", "2026-11-03T023000"]
    assert (folder / "2026-11-03T023000" / "schema.sql").is_file()


def test_a_second_process_cannot_open_the_database_even_read_only(db_path):
    """Why the README says one server process: while the app holds the file, no other process opens it."""
    with Database(db_path):
        probe = subprocess.run(
            [sys.executable, "-c", "import duckdb, sys; duckdb.connect(sys.argv[1], read_only=True)", str(db_path)],
            capture_output=True, text=True, timeout=60)
    assert probe.returncode != 0 and "lock" in probe.stderr.lower()
