import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from qualepref import sql, store
from qualepref.db import Database, DatabaseBusyError, apply_migrations
from tests.conftest import national_scope, table_contents


def test_migrations_from_empty_create_schema_views_and_referentiel(db):
    with db.cursor() as cur:
        views = {r[0] for r in cur.execute(
            "select view_name from duckdb_views() where not internal").fetchall()}
        assert {"v_indicator_values", "v_survey_results", "v_compliance", "v_sites", "v_site_modules",
                "v_label_events"} <= views
        # The 101 departmental prefectures are active; the overseas collectivités wait to be switched on.
        assert cur.execute("select count(*) from sites where active").fetchone()[0] == 101
        assert cur.execute("select count(*) from v_sites where site_kind = 'prefecture'").fetchone()[0] == 101
        assert cur.execute("select site_kind, active from sites where site_code = '987'").fetchone() == (
            "haut_commissariat", False)
        assert cur.execute("select tncc from sites where site_code = '87'").fetchone()[0] == 3
        assert cur.execute("select count(*) from engagements where module = 1").fetchone()[0] == 20
        assert cur.execute("select count(*) from engagements where module = 7").fetchone()[0] == 4
        target, direction = cur.execute(
            "select target, direction from indicators where indicator_code = 'APPELS_PERDUS'").fetchone()
        assert (target, direction) == (10.0, "baisse")
        assert cur.execute("select site_name from sites where site_code = '2A'").fetchone()[0] == "Corse-du-Sud"


def test_migrations_reapplied_are_idempotent(db_path):
    with Database(db_path) as first:
        before = table_contents(first)
        versions = [r[0] for r in first.cursor().execute("select version from schema_migrations").fetchall()]
    assert versions == sorted(versions) and len(versions) >= 2
    with Database(db_path) as second:
        assert apply_migrations(second) == []
        after = table_contents(second)
    assert after == before


def test_failed_write_leaves_database_unchanged(demo_db):
    scope = national_scope(demo_db)
    before = table_contents(demo_db)
    version = demo_db.data_version()
    batch = pd.DataFrame({
        "site_code": ["29", "29"], "indicator_code": ["APPELS_PERDUS", "APPELS_PERDUS"],
        "period_start": pd.to_datetime(["2026-01-01", "2026-02-01"]), "period_kind": ["month", "month"],
        "value": [3.0, 4.0], "comment": [None, None],
    })
    with pytest.raises(RuntimeError, match="boom"), demo_db.transaction() as cur:
        store.write(cur, "indicator_values", batch, scope=scope, upload_id=store.next_upload_id(cur))
        raise RuntimeError("boom")
    # A constraint violation inside the database is rolled back too.
    bad = pd.DataFrame({
        "site_code": ["29"], "campaign": ["2026"], "question_code": ["GLOBAL"],
        "n_tres_satisfait": [-1], "n_satisfait": [0], "n_peu_satisfait": [0],
        "n_pas_du_tout_satisfait": [0], "n_sans_avis": [0],
    })
    with pytest.raises(Exception, match=r"(?i)constraint"), demo_db.transaction() as cur:
        store.write(cur, "indicator_values", batch, scope=scope, upload_id=store.next_upload_id(cur))
        store.write(cur, "survey_results", bad, scope=scope, upload_id=store.next_upload_id(cur))
    assert table_contents(demo_db) == before
    assert demo_db.data_version() == version


def test_data_version_changes_on_commit_and_only_then(db):
    v0 = db.data_version()
    sql.run(db, "sites", scope=national_scope(db))
    assert db.data_version() == v0, "a read must not bump the version"
    with pytest.raises(ValueError), db.transaction():
        raise ValueError
    assert db.data_version() == v0, "a rollback must not bump the version"
    with db.transaction():
        pass
    assert db.data_version() == v0 + 1
    with db.transaction(bump=False):
        pass
    assert db.data_version() == v0 + 1, "bookkeeping without a bump"
    db.close()
    with Database(db.path) as reopened:  # the version is stored, not only known in memory
        assert reopened.data_version() == v0 + 1


def test_write_replaces_same_key_and_missing_marker_deletes(db):
    scope = national_scope(db)

    def batch(values):
        return pd.DataFrame({
            "site_code": "87", "indicator_code": "COURRIEL_DELAI",
            "period_start": pd.to_datetime(["2026-01-01", "2026-02-01"]), "period_kind": "month",
            "value": values, "comment": None,
        })

    with db.transaction() as cur:
        first = store.write(cur, "indicator_values", batch([3.0, 4.0]), scope=scope, upload_id=1)
    assert (first.new, first.replaced) == (2, 0)
    with db.transaction() as cur:
        again = store.write(cur, "indicator_values", batch([3.0, float("nan")]), scope=scope, upload_id=2)
    assert (again.new, again.replaced, again.unchanged, again.deleted) == (0, 0, 1, 1)
    rows = db.cursor().execute(
        "select period_start, value from v_indicator_values where site_code = '87'").fetchall()
    assert [(str(d), v) for d, v in rows] == [("2026-01-01", 3.0)]


def test_write_outside_scope_is_refused(db):
    from qualepref.access import Principal, Role, ScopeError

    scope = Principal("ref@x.fr", Role.REFERENT, "87").scope({"29", "87"})
    batch = pd.DataFrame({
        "site_code": ["29"], "indicator_code": ["COURRIEL_DELAI"],
        "period_start": pd.to_datetime(["2026-01-01"]), "period_kind": ["month"],
        "value": [3.0], "comment": [None],
    })
    with pytest.raises(ScopeError), db.transaction() as cur:
        store.write(cur, "indicator_values", batch, scope=scope, upload_id=1)
    assert db.cursor().execute("select count(*) from indicator_values").fetchone()[0] == 0


def test_second_process_gets_a_clear_french_message(db_path, db):
    # `db` holds the file open read-write, as a running app does.
    code = textwrap.dedent(f"""
        from qualepref.db import Database, DatabaseBusyError
        try:
            Database({str(db_path)!r})
        except DatabaseBusyError as exc:
            print(exc)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "déjà ouverte par un autre programme" in out.stdout
    assert "Rien n'a été modifié" in out.stdout
    assert issubclass(DatabaseBusyError, RuntimeError)
