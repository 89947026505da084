"""Migrations 0030–0031: a database holding duplicate keys (written by the old race) keeps one row per key,
chosen deterministically and audited, then refuses any further duplicate."""

from __future__ import annotations

import json

import duckdb
import pytest

from qualepref import db as dbmod
from qualepref.db import Database


def _before_0030(path, monkeypatch):
    previous = [m for m in dbmod._migrations() if m[0] < 30]
    with monkeypatch.context() as patch:
        patch.setattr(dbmod, "_migrations", lambda: previous)
        Database(path).close()


def test_duplicates_are_reduced_to_the_latest_upload_and_audited(tmp_path, monkeypatch):
    path = tmp_path / "ancienne.duckdb"
    _before_0030(path, monkeypatch)
    con = duckdb.connect(str(path))
    con.execute("""insert into indicator_values values
        ('87', 'COURRIER_DELAI', date '2025-01-01', 'month', 9, null, 3, false),
        ('87', 'COURRIER_DELAI', date '2025-01-01', 'month', 4, 'ancien', 2, false),
        ('87', 'COURRIER_DELAI', date '2025-01-01', 'month', 7, null, 3, true),
        ('87', 'COURRIER_DELAI', date '2025-01-01', 'quarter', 5, null, 1, false),
        ('87', 'COURRIER_DELAI', date '2025-02-01', 'month', 6, null, null, false),
        ('87', 'COURRIER_DELAI', date '2025-02-01', 'month', 8, null, 1, false)""")
    con.execute("""insert into survey_results values
        ('87', '2025', 'GLOBAL', 1, 1, 1, 1, 1, 5, false),
        ('87', '2025', 'GLOBAL', 9, 9, 9, 9, 9, 4, false)""")
    con.execute("""insert into compliance_assessments values
        ('87', 1, 1, date '2025-03-01', 'audit_interne', 'partiel', 2, false),
        ('87', 1, 1, date '2025-03-01', 'audit_interne', 'conforme', 2, false)""")
    con.close()
    with Database(path) as database, database.cursor() as cur:
        rows = cur.execute("select period_start::varchar, period_kind, value, upload_id, is_demo "
                           "from indicator_values order by all").fetchall()
        # Latest upload first (3 > 2), an imported row before a demonstration one, rows without
        # an upload last; the quarter is another key than January.
        assert rows == [("2025-01-01", "month", 9.0, 3, False), ("2025-01-01", "quarter", 5.0, 1, False),
                        ("2025-02-01", "month", 8.0, 1, False)]
        assert cur.execute("select n_satisfait, upload_id from survey_results").fetchall() == [(1, 5)]
        # Same upload: the greatest value, only to be deterministic.
        assert cur.execute("select result from compliance_assessments").fetchall() == [("partiel",)]
        audit = cur.execute("select actor, action, entity, key, before, after from audit_log "
                            "order by entity, key").fetchall()
        assert [(a[2], a[3]) for a in audit] == [
            ("compliance_assessments", "87 × 1 × 1 × 2025-03-01 × audit_interne"),
            ("indicator_values", "87 × COURRIER_DELAI × 2025-01-01 × month"),
            ("indicator_values", "87 × COURRIER_DELAI × 2025-02-01 × month"),
            ("survey_results", "87 × 2025 × GLOBAL"),
        ]
        assert {a[:2] for a in audit} == {("migration 0030", "dédoublonnage")}
        january = json.loads(audit[1][4])
        assert sorted((r["value"], r["upload_id"], r["is_demo"]) for r in january) == [(4.0, 2, False),
                                                                                      (7.0, 3, True)]
        assert json.loads(audit[1][5])["value"] == 9.0
        with pytest.raises(duckdb.ConstraintException):
            cur.execute("insert into indicator_values values "
                        "('87', 'COURRIER_DELAI', date '2025-01-01', 'month', 1, null, 9, false)")


def test_a_database_without_duplicates_is_only_given_its_keys(tmp_path, monkeypatch):
    path = tmp_path / "propre.duckdb"
    _before_0030(path, monkeypatch)
    with Database(path) as database, database.cursor() as cur:
        assert cur.execute("select count(*) from audit_log").fetchone()[0] == 0
        keys = dict(cur.execute("select table_name, constraint_column_names from duckdb_constraints() "
                                "where constraint_type = 'PRIMARY KEY'").fetchall())
    assert keys["indicator_values"] == ["site_code", "indicator_code", "period_start", "period_kind"]
    assert keys["survey_results"] == ["site_code", "campaign", "question_code"]
    assert keys["compliance_assessments"] == ["site_code", "module", "engagement", "assessed_on", "assessment_type"]
