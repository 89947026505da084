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
import shutil
import tempfile
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
        """EXPORT DATABASE as Parquet (schema, views and data)."""
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


def apply_migrations(db: Database) -> list[int]:
    """Apply pending migrations, each in its own transaction. Idempotent."""
    with db._write_lock:
        with db.cursor() as cur:
            sql.execute(cur, "create_schema_migrations")
            applied = {row[0] for row in sql.execute(cur, "applied_migrations")}
        done = []
        for version, name, path in _migrations():
            if version in applied:
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


def restore(source_dir: Path | str, target: Path | str | None = None) -> Path:
    """Rebuild the database file from an EXPORT directory.

    The import goes into a temporary file first; only a complete import
    replaces the target (the previous file is kept as `.avant-restauration`).
    """
    source = Path(source_dir)
    if not (source / "schema.sql").is_file():
        raise FileNotFoundError(f"{source} ne contient pas de sauvegarde (schema.sql absent).")
    target_path = Path(target) if target else db_path()
    target_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target_path.parent) as tmp:
        tmp_db = Path(tmp) / "restore.duckdb"
        conn = duckdb.connect(str(tmp_db))
        try:
            conn.execute(f"IMPORT DATABASE {_quote_path(source)}")
            conn.execute("CHECKPOINT")
        finally:
            conn.close()
        if target_path.exists():
            shutil.move(str(target_path), str(target_path) + ".avant-restauration")
            wal = Path(str(target_path) + ".wal")
            if wal.exists():
                wal.unlink()
        shutil.move(str(tmp_db), str(target_path))
    with Database(target_path):  # applies migrations newer than the backup
        pass
    return target_path
