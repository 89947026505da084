"""A database that round 1 left in service (tests/data/round1) opens with today's code.

Every migration since 0005 applies to it, no figure, account or import record is lost, the
people who used it can still sign in and work, and the demonstration can still be removed
without touching what they imported. Other tests build "older" databases with today's code;
this one is the database as the old code really wrote it.
"""

from __future__ import annotations

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from qualepref import auth, demo
from qualepref.access import Principal, Role
from qualepref.db import Database, _migrations
from tests.conftest import ROOT

REFERENT = Principal("ref87@interieur.gouv.fr", Role.REFERENT, site_code="87", display_name="Réf 87")

FACTS = {
    "indicator_values": "select site_code, indicator_code, period_start, period_kind, value, comment, is_demo "
                        "from indicator_values",
    "survey_results": "select site_code, campaign, question_code, n_tres_satisfait, n_satisfait, n_peu_satisfait, "
                      "n_pas_du_tout_satisfait, n_sans_avis, is_demo from survey_results",
    "compliance_assessments": "select site_code, module, engagement, assessed_on, assessment_type, result, is_demo "
                              "from compliance_assessments",
    "uploads": "select upload_id, uploaded_by, file_name, sha256, kind, rows_written, is_demo from uploads",
    "accounts": "select email, display_name, role, site_code, password_hash, active from accounts",
}


def _facts(path, *, read_only=True) -> dict[str, list]:
    conn = duckdb.connect(str(path), read_only=read_only)
    try:
        return {table: sorted(conn.execute(query).fetchall(), key=repr) for table, query in FACTS.items()}
    finally:
        conn.close()


def test_every_migration_applies_and_nothing_is_lost(round1_db_path):
    before = _facts(round1_db_path)
    assert len(before["indicator_values"]) > 38_000 and len(before["uploads"]) == 6
    with Database(round1_db_path) as database, database.cursor() as cur:
        applied = {row[0] for row in cur.execute("select version from schema_migrations").fetchall()}
        assert applied == {version for version, _, _ in _migrations()}
        version = database.data_version()
    assert _facts(round1_db_path) == before
    assert version > 9  # round 1 stopped at data_version 9; each migration bumps it
    with Database(round1_db_path) as database:  # opening again changes nothing
        assert database.data_version() == version
    assert _facts(round1_db_path) == before


def test_the_referent_signs_in_and_the_analyst_views_answer(round1_db_path):
    with Database(round1_db_path) as database:
        principal = auth.authenticate(database, "ref87@interieur.gouv.fr", "motdepasse-tres-long")
        assert (principal.role, principal.site_code) == (Role.REFERENT, "87")
        with database.cursor() as cur:
            for view in ("v_indicator_values", "v_survey_results", "v_compliance"):
                assert cur.execute(f"select count(*) from {view}").fetchone()[0] > 0, view
            real = cur.execute("select count(*) from v_indicator_values where site_code = '29' "
                               "and period_start between '2024-01-01' and '2024-12-01'").fetchone()[0]
            assert real > 0


def test_removing_the_demonstration_keeps_the_real_imports(round1_db_path):
    before = _facts(round1_db_path)
    real = {table: [row for row in rows if row[-1] is False] for table, rows in before.items() if table != "accounts"}
    assert real["indicator_values"] and real["survey_results"] and real["compliance_assessments"]
    with Database(round1_db_path) as database:
        demo.remove(database, actor="ligne de commande")
        assert not demo.has_demo_data(database)
    after = _facts(round1_db_path)
    for table, rows in real.items():
        assert after[table] == rows, table


@pytest.mark.parametrize("page", ["pages/vue_ensemble.py", "pages/tendances.py", "pages/alertes.py",
                                  "pages/import_donnees.py", "pages/historique.py"])
def test_pages_run_on_the_upgraded_database(round1_db_path, monkeypatch, page):
    monkeypatch.setenv("QUALEPREF_DB", str(round1_db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["principal"] = REFERENT
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
