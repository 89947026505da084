"""Writes racing each other (issue 12.5): the data version is never left stale, an import never
stores a key twice, and the fact tables refuse a duplicate key whatever writes it."""

from __future__ import annotations

import threading

import duckdb
import pytest

from qualepref import ingest, sql
from qualepref.db import Database
from qualepref.ingest import samples
from tests.test_ingest_support import analyse, import_file, indicator_rows, national_scope

LONG = ["Site", "Indicateur", "Période", "Valeur"]
VERSION_QUERY = sql.query_text("data_version")


class _PausingCursor:
    """A real cursor that, once it has read the data version, waits until told to go on."""

    def __init__(self, cursor, read_done: threading.Event, go_on: threading.Event):
        self._cursor, self._read_done, self._go_on = cursor, read_done, go_on

    def execute(self, query, *args, **kwargs):
        result = self._cursor.execute(query, *args, **kwargs)
        if query == VERSION_QUERY:
            rows = result.fetchall()
            self._read_done.set()
            assert self._go_on.wait(10)
            return _Rows(rows)
        return result

    def __getattr__(self, name):
        return getattr(self._cursor, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._cursor.close()


class _Rows:
    def __init__(self, rows):
        self._rows = rows

    def fetchall(self):
        return self._rows


class PausingDatabase(Database):
    """The product's `Database`; the next cursor taken by `pause_thread` stops after reading the version."""

    pause_thread: int | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.read_done, self.go_on = threading.Event(), threading.Event()

    def cursor(self):
        cur = super().cursor()
        if threading.get_ident() == self.pause_thread:
            return _PausingCursor(cur, self.read_done, self.go_on)
        return cur


def _stored_version(db) -> int:
    with db.cursor() as cur:
        return int(sql.execute(cur, "data_version")[0][0])


def _stale_version_in_flight(db: PausingDatabase, commit) -> None:
    """A thread reads the version; `commit` runs between its read and the moment it keeps it."""
    with db.transaction(bump=False):  # as a sign-in's bookkeeping does: the version is read afresh next
        pass
    db.read_done.clear()
    db.go_on.clear()

    def reader():
        db.pause_thread = threading.get_ident()
        try:
            db.data_version()
        finally:
            db.pause_thread = None

    thread = threading.Thread(target=reader)
    thread.start()
    assert db.read_done.wait(10)
    commit()
    db.go_on.set()
    thread.join(10)
    assert not thread.is_alive()


def test_a_version_read_racing_a_commit_is_not_kept(db_path):
    with PausingDatabase(db_path) as db:
        def commit():
            with db.transaction():
                pass

        _stale_version_in_flight(db, commit)
        assert db.data_version() == _stored_version(db), "the version read before the commit was kept"


def test_an_import_confirmed_after_a_racing_import_replaces_its_values(db_path, tmp_path):
    """The preview saw an empty base; another import wrote the same keys, and a version read
    racing that commit would have told the confirmation nothing changed: no key may be stored twice."""
    first = samples.write_rows_xlsx(tmp_path / "premier.xlsx", {
        "Indicateurs": [LONG, ["87", "COURRIER_DELAI", "2025-01", 9], ["87", "COURRIER_DELAI", "2025-02", 8]]})
    other = samples.write_rows_xlsx(tmp_path / "autre.xlsx", {
        "Indicateurs": [LONG, ["87", "COURRIER_DELAI", "2025-01", 4]]})
    with PausingDatabase(db_path) as db:
        plan = analyse(db, first)
        assert plan.counts["indicator_values"].new == 2
        _stale_version_in_flight(db, lambda: import_file(db, other))
        result = ingest.commit(plan, db=db, scope=national_scope(db), uploaded_by="tests")
        assert (result.rows_written, result.rows_replaced) == (2, 1)
        assert indicator_rows(db, "87") == [("87", "COURRIER_DELAI", "2025-01-01", "month", 9.0),
                                            ("87", "COURRIER_DELAI", "2025-02-01", "month", 8.0)]


def test_imports_in_parallel_threads_store_each_key_once(db, tmp_path):
    """Eight threads import files sharing their keys at the same time (the page serves each session
    in its own thread): every key is stored once, with the value of one of the files."""
    files = []
    for k in range(8):
        rows = [LONG] + [["87", code, f"2025-{m:02d}", k * 10 + m]
                         for code in ("COURRIER_DELAI", "COURRIEL_DELAI") for m in range(1, 7)]
        files.append(samples.write_rows_xlsx(tmp_path / f"f{k}.xlsx", {"Indicateurs": rows}))
    errors = []
    start = threading.Barrier(len(files))

    def worker(path):
        try:
            start.wait(10)
            for _ in range(3):
                import_file(db, path)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(path,)) for path in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    rows = indicator_rows(db, "87")
    assert len(rows) == 12 == len({row[:4] for row in rows})
    # Each stored value is one of the values the files wrote for that cell.
    for _site, _code, start_day, _kind, value in rows:
        month = int(start_day[5:7])
        assert (value - month) % 10 == 0 and 0 <= (value - month) // 10 < 8
    assert db.data_version() == _stored_version(db)


@pytest.mark.parametrize("table, row", [
    ("indicator_values", "('87', 'COURRIER_DELAI', date '2025-01-01', 'month', 3.0, null, 1, false)"),
    ("survey_results", "('87', '2025', 'GLOBAL', 1, 2, 3, 4, 5, 1, false, 2025)"),
    ("compliance_assessments", "('87', 1, 1, date '2025-03-01', 'audit_interne', 'conforme', 1, false)"),
])
def test_a_fact_table_refuses_a_second_row_with_the_same_key(db, table, row):
    with db.transaction() as cur:
        cur.execute(f"insert into {table} values {row}")
    with pytest.raises(duckdb.ConstraintException), db.transaction() as cur:
        cur.execute(f"insert into {table} values {row}")
    with db.cursor() as cur:
        assert cur.execute(f"select count(*) from {table}").fetchone()[0] == 1


def test_a_confirmation_reuses_the_preview_only_when_nothing_was_committed_since(db, tmp_path, monkeypatch):
    """The preview's classification is written as is when the data version has not moved since it
    was made; after any other commit the write classifies again (and replaces what that commit wrote)."""
    from qualepref import store

    made = []
    real = store.classify
    monkeypatch.setattr(store, "classify", lambda *a, **k: made.append(k.get("write", False)) or real(*a, **k))
    mine = samples.write_rows_xlsx(tmp_path / "mien.xlsx", {
        "Indicateurs": [LONG, ["87", "COURRIER_DELAI", "2025-01", 9], ["87", "COURRIER_DELAI", "2025-02", 8]]})
    plan = analyse(db, mine)
    ingest.commit(plan, db=db, scope=national_scope(db), uploaded_by="tests")
    assert made == [False], "nothing was committed since the preview: no second classification"

    made.clear()
    again = analyse(db, samples.write_rows_xlsx(tmp_path / "encore.xlsx", {
        "Indicateurs": [LONG, ["87", "COURRIER_DELAI", "2025-01", 7]]}))
    import_file(db, samples.write_rows_xlsx(tmp_path / "autre.xlsx", {
        "Indicateurs": [LONG, ["87", "COURRIER_DELAI", "2025-01", 4]]}))
    made.clear()
    result = ingest.commit(again, db=db, scope=national_scope(db), uploaded_by="tests")
    assert made == [True], "another import was committed since the preview: classified again"
    assert (result.rows_written, result.rows_replaced) == (1, 1)
    assert indicator_rows(db, "87")[0] == ("87", "COURRIER_DELAI", "2025-01-01", "month", 7.0)
