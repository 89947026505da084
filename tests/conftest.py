"""Shared fixtures: real DuckDB files in temporary directories."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from qualepref import demo
from qualepref.access import SiteScope, system_scope
from qualepref.db import Database

ROOT = Path(__file__).resolve().parent.parent
# Fixed so tests do not depend on today's date.
DEMO_END_MONTH = date(2026, 10, 1)
# Active sites of the demonstration: the 101 departmental prefectures and 9 sub-prefectures.
N_SITES = 110


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "qualepref.duckdb"


@pytest.fixture
def db(db_path):
    """A migrated, empty database (référentiel and sites only)."""
    database = Database(db_path)
    yield database
    database.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """A database with the national demonstration data, built once per session."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with Database(path) as database:
        demo.load(database, end_month=DEMO_END_MONTH)
        database.checkpoint()
    return path


@pytest.fixture
def demo_db_path(demo_template, tmp_path) -> Path:
    """A private copy of the demonstration database (tests may write to it)."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, path)
    return path


ROUND1_EXPORT = ROOT / "tests" / "data" / "round1"


@pytest.fixture
def round1_db_path(tmp_path) -> Path:
    """A database file as round 1 (commit e9c475f, migrations 0001–0005) left it in service,
    not yet opened by today's code (opening it with `Database` applies the newer migrations)."""
    import duckdb

    path = tmp_path / "round1.duckdb"
    conn = duckdb.connect(str(path))
    try:
        conn.execute((ROUND1_EXPORT / "schema.sql").read_text(encoding="utf-8"))
        for parquet in sorted(ROUND1_EXPORT.glob("*.parquet")):
            conn.execute(f'insert into "{parquet.stem}" select * from read_parquet($path)',
                         {"path": str(parquet)})
        conn.execute("checkpoint")
    finally:
        conn.close()
    return path


@pytest.fixture
def demo_db(demo_db_path):
    database = Database(demo_db_path)
    yield database
    database.close()


def national_scope(database) -> SiteScope:
    with database.cursor() as cur:
        codes = [r[0] for r in cur.execute("select site_code from sites").fetchall()]
    return system_scope(codes)


def table_contents(database) -> dict[str, list]:
    """Every row of every table, sorted: to compare a database before and after."""
    with database.cursor() as cur:
        tables = [r[0] for r in cur.execute(
            "select table_name from information_schema.tables where table_type = 'BASE TABLE' "
            "order by table_name").fetchall()]
        return {t: sorted(map(repr, cur.execute(f'select * from "{t}"').fetchall())) for t in tables}
