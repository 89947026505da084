"""Backup and restore: a real round trip, and a backup folder that was tampered with.

`restore` never runs SQL from the folder (schema from the project's migrations,
data from the Parquet files of known tables) and checks the manifest's SHA-256
sums before touching anything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import duckdb
import pandas as pd
import pytest

from qualepref import auth, backup, store
from qualepref.access import Role
from qualepref.db import Database, applied_migrations, apply_migrations, migration_versions
from tests.conftest import ROOT, national_scope, table_contents


@pytest.fixture
def lived_in(demo_db):
    """The demonstration plus what a real installation holds: an account (hash), a change, a real import."""
    auth.create_account(demo_db, actor="tests", email="admin@interieur.gouv.fr", display_name="Admin",
                        role=Role.ADMIN, password="Un-mot-de-passe-solide")
    frame = pd.DataFrame({"site_code": ["87"], "indicator_code": ["COURRIER_DELAI"],
                          "period_start": pd.to_datetime(["2019-01-01"]), "period_kind": ["month"],
                          "value": [12.5], "comment": ["réel"]})
    with demo_db.transaction() as cur:
        upload_id = store.next_upload_id(cur)
        counts = store.write(cur, "indicator_values", frame, scope=national_scope(demo_db), upload_id=upload_id)
        store.record_upload(cur, upload_id=upload_id, uploaded_by="admin@interieur.gouv.fr", file_name="réel.xlsx",
                            sha256="1" * 64, kind="indicateurs", site_codes=["87"], period_min="2019-01",
                            period_max="2019-01", counts=counts)
    return demo_db


def _views(path) -> set[str]:
    with Database(path) as restored, restored.cursor() as cur:
        return {r[0] for r in cur.execute("select view_name from duckdb_views() where not internal").fetchall()}


def test_round_trip_keeps_every_row_and_the_data_version(lived_in, tmp_path):
    before, version = table_contents(lived_in), lived_in.data_version()
    folder = backup.backup(lived_in, tmp_path / "sauvegarde")
    manifest = json.loads((folder / backup.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["data_version"] == version and manifest["migrations"] == applied_migrations(lived_in)
    assert manifest["tables"]["indicator_values"]["rows"] == len(before["indicator_values"])
    assert set(manifest["files"]) == {p.name for p in folder.iterdir()} - {backup.MANIFEST}
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    restored_path = backup.restore(folder, tmp_path / "restauree.duckdb")
    with Database(restored_path) as restored:
        assert table_contents(restored) == before
        assert restored.data_version() == version
        assert auth.authenticate(restored, "admin@interieur.gouv.fr", "Un-mot-de-passe-solide").role == Role.ADMIN
    assert {"v_indicator_values", "v_survey_results", "v_compliance"} <= _views(restored_path)


def _tamper(folder, name: str, extra: str, *, update_manifest: bool) -> None:
    path = folder / name
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    if update_manifest:  # someone who can write the folder can rewrite the manifest too
        manifest_path = folder / backup.MANIFEST
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        manifest["files"][name] = backup._sha256(path)
        manifest_path.write_text(json.dumps(manifest), encoding="utf-8")


def _hostile_sql(tmp_path) -> str:
    return (f"\nCOPY (SELECT 'écrit par la sauvegarde') TO '{tmp_path / 'pwned.csv'}';\n"
            "CREATE TABLE hostname AS SELECT * FROM read_csv('/etc/hostname', header = false);\n")


@pytest.mark.parametrize("name", ["schema.sql", "load.sql"])
def test_sql_in_the_backup_folder_is_never_run(lived_in, tmp_path, name):
    folder = backup.backup(lived_in, tmp_path / "sauvegarde")
    before = table_contents(lived_in)
    _tamper(folder, name, _hostile_sql(tmp_path), update_manifest=True)
    restored_path = backup.restore(folder, tmp_path / "restauree.duckdb")
    assert not (tmp_path / "pwned.csv").exists(), "the backup's SQL wrote a file"
    with Database(restored_path) as restored:
        assert table_contents(restored) == before, "nothing read from /etc/hostname, nothing else changed"


@pytest.mark.parametrize("change", ["modified", "extra", "missing", "no_manifest", "bad_manifest", "link"])
def test_a_folder_that_differs_from_its_manifest_is_refused_before_anything(lived_in, tmp_path, change):
    folder = backup.backup(lived_in, tmp_path / "sauvegarde")
    target = tmp_path / "base.duckdb"
    with Database(target):
        pass
    original = target.read_bytes()
    if change == "modified":
        _tamper(folder, "schema.sql", _hostile_sql(tmp_path), update_manifest=False)
        expected = "modifiés depuis la sauvegarde : schema.sql"
    elif change == "extra":
        (folder / "notes.parquet").write_bytes(b"PAR1")
        expected = "en trop : notes.parquet"
    elif change == "missing":
        (folder / "accounts.parquet").unlink()
        expected = "manquants : accounts.parquet"
    elif change == "no_manifest":
        (folder / backup.MANIFEST).unlink()
        expected = "absent"
    elif change == "bad_manifest":
        (folder / backup.MANIFEST).write_text("{pas du json", encoding="utf-8")
        expected = "illisible"
    else:
        (folder / "accounts.parquet").unlink()
        (folder / "accounts.parquet").symlink_to("/etc/hostname")
        expected = "liens"
    with pytest.raises(backup.BackupError, match="rien n'a été restauré") as refused:
        backup.restore(folder, target)
    assert expected in str(refused.value)
    assert target.read_bytes() == original and not (tmp_path / "base.duckdb.avant-restauration").exists()
    assert not (tmp_path / "pwned.csv").exists()


def _rewrite_parquet(folder, name: str, query: str) -> None:
    """Replace a Parquet file (and its manifest entry, as a forger would)."""
    path = folder / name
    with duckdb.connect() as conn:
        conn.execute(f"copy ({query}) to '{path}' (format parquet)")
    manifest_path = folder / backup.MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["files"][name] = backup._sha256(path)
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")


def test_only_known_tables_with_their_own_columns_are_read(lived_in, tmp_path):
    folder = backup.backup(lived_in, tmp_path / "sauvegarde")
    _rewrite_parquet(folder, "accounts.parquet", "select 'x@y.fr' as email, 'boom' as surprise")
    with pytest.raises(backup.BackupError, match="n'a pas les colonnes de la table accounts"):
        backup.restore(folder, tmp_path / "a.duckdb")
    folder = backup.backup(lived_in, tmp_path / "sauvegarde-2")
    _rewrite_parquet(folder, "intrus.parquet", "select 1 as a")
    manifest = json.loads((folder / backup.MANIFEST).read_text(encoding="utf-8"))
    manifest["tables"]["intrus"] = {"file": "intrus.parquet", "rows": 1}
    (folder / backup.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(backup.BackupError, match="inconnues : intrus"):
        backup.restore(folder, tmp_path / "b.duckdb")
    assert not (tmp_path / "a.duckdb").exists() and not (tmp_path / "b.duckdb").exists()


def test_a_backup_of_an_older_schema_is_restored_then_migrated(tmp_path):
    older = [v for v in migration_versions() if v <= 5]
    with Database(tmp_path / "ancienne.duckdb", migrate=False) as old:
        apply_migrations(old, only=set(older))
        auth.create_account(old, actor="tests", email="chef@interieur.gouv.fr", display_name="Chef", role=Role.ADMIN)
        folder = backup.backup(old, tmp_path / "sauvegarde")
    restored = backup.restore(folder, tmp_path / "restauree.duckdb")
    with Database(restored, migrate=False) as db:
        assert applied_migrations(db) == migration_versions()
        assert auth.get_account(db, "chef@interieur.gouv.fr").role == Role.ADMIN


def test_readme_commands_back_up_and_restore(lived_in, demo_db_path, tmp_path):
    lived_in.close()
    env = {**os.environ, "QUALEPREF_DB": str(demo_db_path)}
    with Database(demo_db_path) as db:
        before = table_contents(db)

    def command(*args):
        return subprocess.run([sys.executable, "-m", "qualepref", *args], capture_output=True, text=True,
                              env=env, cwd=ROOT, timeout=300)

    done = command("backup", str(tmp_path / "sauvegarde-2026-11"))
    assert done.returncode == 0, done.stderr
    assert command("backup", str(tmp_path / "sauvegarde-2026-11")).returncode == 1, "never into a used folder"
    done = command("restore", str(tmp_path / "sauvegarde-2026-11"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / (demo_db_path.name + ".avant-restauration")).exists()
    with Database(demo_db_path) as db:
        assert table_contents(db) == before
    (tmp_path / "sauvegarde-2026-11" / "load.sql").write_text("select 1;", encoding="utf-8")
    refused = command("restore", str(tmp_path / "sauvegarde-2026-11"))
    assert refused.returncode == 1 and "rien n'a été restauré" in refused.stderr
