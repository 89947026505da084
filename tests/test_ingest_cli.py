"""The import command line (DESIGN §4) and the re-upload rules: idempotency, replacement, deletion."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from qualepref import ingest, store
from qualepref.db import Database
from qualepref.ingest import samples
from tests.conftest import ROOT, table_contents
from tests.test_ingest_support import analyse, indicator_rows, national_scope, upload_count

LONG = ["Site", "Indicateur", "Période", "Valeur"]


def _cli(db_path, *args):
    env = {**os.environ, "QUALEPREF_DB": str(db_path)}
    return subprocess.run([sys.executable, "-m", "qualepref", "import", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def january(tmp_path):
    return samples.write_rows_xlsx(tmp_path / "janvier.xlsx", {"Feuil1": [
        LONG, ["87", "COURRIER_DELAI", "2025-01", 9], ["87", "APPELS_PERDUS", "2025-01", "7,5 %"],
        ["87", "ATTENTE_GUICHET", "2025-01", 14]]})


def test_same_file_twice_writes_nothing_the_second_time_and_says_so(db_path, january):
    first = _cli(db_path, january, "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {"ok": True, "kind": "indicateurs", "rows_written": 3, "rows_replaced": 0,
                                        "errors": [], "warnings": []}
    with Database(db_path) as database:
        before = table_contents(database)
        plan = analyse(database, january)
        assert plan.already_imported and plan.changes_nothing
        result = ingest.commit(plan, db=database, scope=national_scope(database), uploaded_by="tests")
        assert result.unchanged and result.upload_id is None and result.rows_written == 0
        assert table_contents(database) == before  # not even a history row, nor a data version bump
    second = _cli(db_path, january)
    assert second.returncode == 0
    assert "Aucun changement" in second.stdout and "déjà importé" in second.stdout
    with Database(db_path) as database:
        assert table_contents(database) == before
        assert upload_count(database) == 1
        with database.cursor() as cur:
            who, sha = cur.execute("select uploaded_by, sha256 from uploads").fetchone()
        assert who.startswith("ligne de commande (") and len(sha) == 64


def test_reuploading_a_month_replaces_it_and_a_missing_marker_deletes(db, tmp_path, january):
    scope = national_scope(db)
    plan = analyse(db, january)
    ingest.commit(plan, db=db, scope=scope, uploaded_by="tests")
    corrected = samples.write_rows_xlsx(tmp_path / "janvier-corrige.xlsx", {"Feuil1": [
        LONG, ["87", "COURRIER_DELAI", "2025-01", 11], ["87", "APPELS_PERDUS", "2025-01", "NC"],
        ["87", "ATTENTE_GUICHET", "2025-01", 14], ["87", "DELAI_CNI", "2025-01", None]]})
    plan = analyse(db, corrected)
    assert plan.counts["indicator_values"] == store.WriteCounts(new=0, replaced=1, unchanged=1, deleted=1)
    summary = plan.summary_frame().set_index("Élément")
    assert summary.loc["COURRIER_DELAI", "Remplacées"] == 1
    assert summary.loc["APPELS_PERDUS", "Supprimées"] == 1
    assert summary.loc["ATTENTE_GUICHET", "Inchangées"] == 1
    assert summary.loc["COURRIER_DELAI", "Première période"] == "janv. 2025"
    result = ingest.commit(plan, db=db, scope=scope, uploaded_by="tests")
    assert (result.rows_written, result.rows_replaced, result.rows_deleted) == (1, 1, 1)
    assert indicator_rows(db) == [("87", "ATTENTE_GUICHET", "2025-01-01", "month", 14.0),
                                  ("87", "COURRIER_DELAI", "2025-01-01", "month", 11.0)]
    with db.cursor() as cur:
        history = cur.execute("select rows_written, rows_replaced, rows_deleted, period_min, period_max "
                              "from uploads order by upload_id").fetchall()
    assert history == [(3, 0, 0, "2025-01", "2025-01"), (1, 1, 1, "2025-01", "2025-01")]


def test_dry_run_validates_without_writing(db_path, january):
    with Database(db_path) as database:
        before = table_contents(database)
    done = _cli(db_path, january, "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "rien n'a été écrit" in done.stdout and "3 nouvelle(s)" in done.stdout
    with Database(db_path) as database:
        assert table_contents(database) == before


@pytest.mark.parametrize("args", [
    ["--kind", "tout"], ["--campaign", "deux-mille"], ["--site", "Atlantide"], [],
], ids=["bad-kind", "bad-campaign", "unknown-site", "no-such-file"])
def test_usage_errors_exit_2(db_path, january, args):
    path = january if args else january.with_name("absent.xlsx")
    done = _cli(db_path, path, *args)
    assert done.returncode == 2, (done.stdout, done.stderr)


def test_a_database_held_by_the_app_is_refused_plainly(db_path, january):
    with Database(db_path) as database:
        before = table_contents(database)
        done = _cli(db_path, january, "--json")
        assert done.returncode == 1
        report = json.loads(done.stdout)
        assert report["ok"] is False and "déjà ouverte par un autre programme" in report["errors"][0]["message"]
        assert table_contents(database) == before


def test_progress_is_reported_in_order(db, january):
    steps = []
    plan = analyse(db, january, progress=lambda fraction, message: steps.append((fraction, message)))
    assert plan.ok and steps[-1][0] == 1.0
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions) and len(steps) >= 4 and all(m for _, m in steps)


def test_the_command_line_never_loads_demonstration_data(db_path, january):
    assert _cli(db_path, january).returncode == 0
    with Database(db_path) as database, database.cursor() as cur:
        counts = cur.execute("select count(*), count(*) filter (where is_demo) from indicator_values").fetchone()
        assert counts == (3, 0)
        assert cur.execute("select count(*) from survey_results").fetchone()[0] == 0
