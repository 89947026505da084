"""The only place that opens DuckDB connections.

One connection per process; a fresh cursor per query (cursors are cheap and
safe to use from Streamlit's threads); writes serialized behind a lock and
wrapped in BEGIN/COMMIT; a `data_version` bumped by every commit, which the
UI uses as the key of its caches.
"""

from __future__ import annotations

import importlib
import logging
import re
import threading
from contextlib import contextmanager
from pathlib import Path

import duckdb

from qualepref import events, sql
from qualepref.config import MIGRATIONS_DIR, db_path

log = logging.getLogger(__name__)
_MIGRATION_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.(sql|py)$")
# `data_version` per database file, known in memory. DuckDB lets one process hold a file for
# writing and no other process open it meanwhile, so every commit that changes a file goes through
# a `Database` of this process, which forgets the file's entry. Read once per commit instead of
# once per cached query (a page asks for it a dozen times per run).
_known_versions: dict[str, int] = {}
# How many times each file's entry was forgotten. A version read from the database is kept only if
# no commit forgot the entry while it was being read: otherwise a read racing a commit would keep
# the version from before the commit, and every cache keyed on it would serve stale data.
_forgotten: dict[str, int] = {}
_versions_lock = threading.Lock()


def _forget_version(key: str) -> None:
    with _versions_lock:
        _known_versions.pop(key, None)
        _forgotten[key] = _forgotten.get(key, 0) + 1


class DatabaseBusyError(RuntimeError):
    """The file is locked by another process (DuckDB allows one writer process)."""


def _busy_message(path: Path) -> str:
    return (
        f"La base de données {path} est déjà ouverte par un autre programme "
        "(probablement l'application en cours d'exécution). Rien n'a été modifié. "
        "Importez depuis la page « Import » de l'application, ou arrêtez-la puis relancez la commande."
    )


class Database:
    def __init__(self, path: Path | str | None = None, *, read_only: bool = False, migrate: bool = True):
        self.path = Path(path) if path else db_path()
        self.read_only = read_only
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise DatabaseBusyError(_busy_message(self.path)) from exc
            raise
        self._write_lock = threading.RLock()
        self._version_key = str(self.path.resolve())
        _forget_version(self._version_key)  # another process may have written before
        if migrate and not read_only:
            apply_migrations(self)

    # -- connections -------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        return self._conn.cursor()

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self, *, bump: bool = True):
        """Serialized write transaction; commits and bumps `data_version`, or rolls back.

        `bump=False` is for bookkeeping that no cached page shows (sign-in
        counters): bumping would empty every user's caches at each sign-in.
        """
        if self.read_only:
            raise sql.ProgrammingError("Read-only database.")
        with self._write_lock:
            cur = self._conn.cursor()
            try:
                cur.execute("BEGIN TRANSACTION")
                try:
                    yield cur
                    if bump:
                        sql.execute(cur, "bump_data_version")
                    cur.execute("COMMIT")
                except BaseException:
                    cur.execute("ROLLBACK")
                    events.discard_deferred()
                    raise
                events.flush_deferred()
            finally:
                _forget_version(self._version_key)
                cur.close()

    @contextmanager
    def snapshot(self):
        """A cursor whose reads all see one committed state (nothing is written through it).

        A write checks `data_version` inside its own transaction to know whether what was read
        here is still what it will meet.
        """
        with self.cursor() as cur:
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
            finally:
                cur.execute("ROLLBACK")

    def data_version(self) -> int:
        """The committed data version (known in memory between commits); for cache keys.

        A write never decides anything on it: what a write replaces is worked out inside its
        own transaction (`store.write`).
        """
        key = self._version_key
        with _versions_lock:
            version = _known_versions.get(key)
            generation = _forgotten.get(key, 0)
        if version is None:
            with self.cursor() as cur:
                rows = sql.execute(cur, "data_version")
            version = int(rows[0][0]) if rows else 0
            with _versions_lock:
                if _forgotten.get(key, 0) == generation:
                    _known_versions[key] = version
        return version

    def checkpoint(self) -> None:
        with self._write_lock, self.cursor() as cur:
            cur.execute("CHECKPOINT")

    # -- backup ------------------------------------------------------------
    def export_to(self, directory: Path | str) -> Path:
        """EXPORT DATABASE as Parquet (schema, views and data); `qualepref.backup` adds the manifest."""
        target = Path(directory)
        target.mkdir(parents=True, exist_ok=True)
        with self._write_lock, self.cursor() as cur:
            # EXPORT takes no prepared parameters; the path is an operator's
            # command-line argument, quoted here.
            cur.execute(f"EXPORT DATABASE {_quote_path(target)} (FORMAT parquet)")
        return target


def _quote_path(path: Path) -> str:
    return "'" + str(path.resolve()).replace("'", "''") + "'"


def _migrations() -> list[tuple[int, str, Path]]:
    found = []
    for path in sorted(MIGRATIONS_DIR.iterdir()):
        match = _MIGRATION_FILE.match(path.name)
        if match:
            found.append((int(match.group(1)), match.group(2), path))
    versions = [v for v, _, _ in found]
    if len(versions) != len(set(versions)):
        raise sql.ProgrammingError("Two migrations share a version number.")
    return found


def migration_versions() -> list[int]:
    """The versions of the project's migrations, in order."""
    return [version for version, _, _ in _migrations()]


def applied_migrations(db: Database) -> list[int]:
    with db.cursor() as cur:
        return sorted(row[0] for row in sql.execute(cur, "applied_migrations"))


def apply_migrations(db: Database, only: set[int] | None = None) -> list[int]:
    """Apply pending migrations (those in `only`, when given), each in its own transaction. Idempotent."""
    with db._write_lock:
        with db.cursor() as cur:
            sql.execute(cur, "create_schema_migrations")
            applied = {row[0] for row in sql.execute(cur, "applied_migrations")}
        done = []
        for version, name, path in _migrations():
            if version in applied or (only is not None and version not in only):
                continue
            cur = db.cursor()
            try:
                cur.execute("BEGIN TRANSACTION")
                if path.suffix == ".sql":
                    cur.execute(path.read_text(encoding="utf-8"))
                else:
                    module = importlib.import_module(f"qualepref.migrations.{path.stem}")
                    module.apply(cur)
                sql.execute(cur, "record_migration", version=version, migration_name=name)
                sql.execute(cur, "bump_data_version")
                cur.execute("COMMIT")
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            finally:
                cur.close()
            log.info("migration %04d_%s appliquée", version, name)
            done.append(version)
        _forget_version(db._version_key)
        return done
