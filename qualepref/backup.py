"""Backup and restore of the database file, without ever running SQL found in the backup folder.

`backup` exports every table as Parquet (DuckDB's EXPORT DATABASE, which also
writes `schema.sql` and `load.sql` for analysts) and adds `manifeste.json`: the
migrations the database had, its data version, each table's file and row count,
and the SHA-256 of every file of the folder.

`restore` checks the folder against its manifest first (a file changed, missing
or added: refused, nothing touched), then rebuilds the database from the
project's own migrations (those the backup had), reads the Parquet file of each
table those migrations create (a parameterised `read_parquet`, after checking
its columns are the table's), applies the migrations that came since, and only
then replaces the database file (the previous one is kept as
`….avant-restauration`). `schema.sql` and `load.sql` are never executed: two
lines appended to them once wrote a file and read /etc/hostname into the base.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from qualepref import sql
from qualepref.config import db_path
from qualepref.db import Database, applied_migrations, apply_migrations, migration_versions

MANIFEST = "manifeste.json"
FORMAT = 1
_LISTED = 5  # file names quoted per kind of difference in a refusal


class BackupError(Exception):
    """A backup refused or impossible; the message is meant for the operator (French)."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _folder_files(folder: Path) -> dict[str, Path]:
    """Every entry of the folder, by its path relative to it (sub-folders and links included)."""
    return {path.relative_to(folder).as_posix(): path for path in sorted(folder.rglob("*"))}


def _tables(db: Database) -> list[str]:
    with db.cursor() as cur:
        return [row[0] for row in sql.execute(cur, "backup_base_tables")]


def _rows_in(db: Database, path: Path) -> int:
    with db.cursor() as cur:
        return int(sql.execute(cur, "backup_parquet_rows", path=str(path))[0][0])


def backup(db: Database, directory: Path | str) -> Path:
    """Write the backup of `db` into `directory` (new or empty), with its manifest."""
    target = Path(directory)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"Le dossier {target} existe et n'est pas vide : choisissez un dossier neuf "
                          "(une sauvegarde ne se mélange pas à d'autres fichiers).")
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    with db._write_lock:  # nothing written between the export and the manifest
        db.export_to(target)
        tables = {table: {"file": f"{table}.parquet", "rows": _rows_in(db, target / f"{table}.parquet")}
                  for table in _tables(db)}
        manifest = {
            "format": FORMAT,
            "application": "qualepref",
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "migrations": applied_migrations(db),
            "data_version": db.data_version(),
            "tables": tables,
            "files": {name: _sha256(path) for name, path in _folder_files(target).items() if path.is_file()},
        }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n",
                                   encoding="utf-8")
    # Every prefecture's data and the password hashes: readable by the service's account only.
    target.chmod(0o700)
    for path in target.iterdir():
        path.chmod(0o600)
    return target


def _listed(names) -> str:
    names = sorted(names)
    more = f" et {len(names) - _LISTED} autre(s)" if len(names) > _LISTED else ""
    return ", ".join(names[:_LISTED]) + more


def read_manifest(folder: Path | str) -> dict:
    """The manifest of a backup folder, once every file is checked against it; `BackupError` otherwise."""
    folder = Path(folder)
    if not folder.is_dir():
        raise BackupError(f"Dossier de sauvegarde introuvable : {folder}.")
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file() or manifest_path.is_symlink():
        raise BackupError(f"{folder} ne contient pas de sauvegarde vérifiable ({MANIFEST} absent) : rien n'a été "
                          "restauré. Une sauvegarde faite par une version antérieure se restaure avec cette "
                          "version-là ; faites ensuite une sauvegarde neuve.")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        listed = dict(manifest["files"])
        int(manifest["format"])
        tables = dict(manifest["tables"])
        migrations = [int(v) for v in manifest["migrations"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{MANIFEST} est illisible ou incomplet : rien n'a été restauré.") from exc
    if manifest["format"] != FORMAT or manifest.get("application") != "qualepref":
        raise BackupError(f"{MANIFEST} n'est pas celui d'une sauvegarde de ce tableau de bord (format "
                          f"{manifest.get('format')}) : rien n'a été restauré.")
    present = {name: path for name, path in _folder_files(folder).items() if name != MANIFEST}
    problems = []
    links = [name for name, path in present.items() if path.is_symlink() or not (path.is_file() or path.is_dir())]
    if links:
        problems.append(f"liens ou fichiers spéciaux : {_listed(links)}")
    extra = [name for name, path in present.items() if name not in listed and not path.is_dir()]
    if extra:
        problems.append(f"fichiers en trop : {_listed(extra)}")
    missing = [name for name in listed if name not in present]
    if missing:
        problems.append(f"fichiers manquants : {_listed(missing)}")
    changed = [name for name, digest in listed.items()
               if name in present and name not in links and present[name].is_file()
               and _sha256(present[name]) != digest]
    if changed:
        problems.append(f"fichiers modifiés depuis la sauvegarde : {_listed(changed)}")
    if problems:
        raise BackupError(f"La sauvegarde {folder} ne correspond pas à son manifeste ({'; '.join(problems)}) : "
                          "rien n'a été restauré.")
    manifest["tables"], manifest["migrations"] = tables, migrations
    return manifest


def _load_tables(db: Database, folder: Path, manifest: dict) -> None:
    """Replace every table's rows by its Parquet file: known tables and checked columns only."""
    tables = _tables(db)
    if set(manifest["tables"]) != set(tables):
        unknown, absent = set(manifest["tables"]) - set(tables), set(tables) - set(manifest["tables"])
        raise BackupError("Les tables de la sauvegarde ne sont pas celles du schéma"
                          + (f" ; inconnues : {_listed(unknown)}" if unknown else "")
                          + (f" ; absentes : {_listed(absent)}" if absent else "") + " : rien n'a été restauré.")
    plan = []
    with db.cursor() as cur:
        for table in tables:
            entry = manifest["tables"][table]
            if entry.get("file") != f"{table}.parquet":
                raise BackupError(f"Le manifeste associe la table {table} au fichier {entry.get('file')} : "
                                  "rien n'a été restauré.")
            path = folder / entry["file"]
            columns = [row[0] for row in sql.execute(cur, "backup_table_columns", table_name=table)]
            sql.execute(cur, "backup_parquet_head", path=str(path))
            found = [d[0] for d in cur.description]
            if sorted(found) != sorted(columns):
                raise BackupError(f"Le fichier {entry['file']} n'a pas les colonnes de la table {table} "
                                  f"(attendues : {', '.join(columns)} ; trouvées : {', '.join(found)}) : "
                                  "rien n'a été restauré.")
            plan.append((table, columns, path, int(entry["rows"])))
    with db.transaction(bump=False) as cur:  # the data version is the backup's
        for table, columns, path, rows in plan:
            # Identifiers from the schema the project's migrations just built, never from the backup;
            # the file is a parameter.
            names = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
            cur.execute(f'delete from "{table}"')
            cur.execute(f'insert into "{table}" ({names}) select {names} from read_parquet($path)',
                        {"path": str(path)})
            loaded = cur.execute(f'select count(*) from "{table}"').fetchone()[0]
            if loaded != rows:
                raise BackupError(f"La table {table} compte {loaded} lignes au lieu des {rows} de la sauvegarde : "
                                  "rien n'a été restauré.")


def restore(source_dir: Path | str, target: Path | str | None = None) -> Path:
    """Rebuild the database file from a backup folder made by `backup`."""
    source = Path(source_dir)
    manifest = read_manifest(source)
    known = set(migration_versions())
    newer = sorted(set(manifest["migrations"]) - known)
    if newer:
        raise BackupError(f"Sauvegarde faite par une version plus récente de l'application (migrations "
                          f"{', '.join(map(str, newer))} inconnues ici) : rien n'a été restauré.")
    target_path = Path(target) if target else db_path()
    target_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target_path.parent) as tmp:
        tmp_db = Path(tmp) / "restore.duckdb"
        with Database(tmp_db, migrate=False) as db:
            apply_migrations(db, only=set(manifest["migrations"]))  # the schema the backup was made with
            _load_tables(db, source, manifest)
            apply_migrations(db)  # the migrations that came since
            db.checkpoint()
        if target_path.exists():
            shutil.move(str(target_path), str(target_path) + ".avant-restauration")
            wal = Path(str(target_path) + ".wal")
            if wal.exists():
                wal.unlink()
        shutil.move(str(tmp_db), str(target_path))
    return target_path
