"""Nightly backups with rotation, and the state of a database for the restore drill.

`python -m qualepref sauvegarde-nocturne DOSSIER --garder 14` (what
qualepref-backup.service runs) writes tonight's backup with the `backup`
command into `DOSSIER/<date>.partiel`, renames it `DOSSIER/<date>` once
complete, then removes all but the `--garder` most recent complete backups.
A backup that failed half-way never counts as one, and never pushes out a
good one.

`python -m qualepref etat` prints the data version and the row count of each
table: run it on the restored copy during the restore drill.
"""

from __future__ import annotations

import re
import shutil
import sys
from datetime import datetime
from pathlib import Path

STAMP_FORMAT = "%Y-%m-%dT%H%M%S"
_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{6}$")
PARTIAL_SUFFIX = ".partiel"


def to_remove(names: list[str], keep: int) -> list[str]:
    """Which entries of a backup folder go: complete backups beyond the `keep` most recent, and partial ones.

    Names that are not backups (anything an operator put there) are never touched.
    """
    complete = sorted(n for n in names if _STAMP.match(n))
    partial = [n for n in names if n.endswith(PARTIAL_SUFFIX) and _STAMP.match(n[: -len(PARTIAL_SUFFIX)])]
    return sorted(partial) + (complete[:-keep] if keep > 0 else complete)


def nightly(directory: Path, keep: int, *, now: datetime | None = None) -> Path:
    """Tonight's backup in `directory`, then the rotation. Raises if the backup command fails."""
    from qualepref import cli

    if keep < 1:
        raise ValueError("--garder doit valoir au moins 1.")
    directory.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now()).strftime(STAMP_FORMAT)
    target = directory / stamp
    partial = directory / f"{stamp}{PARTIAL_SUFFIX}"
    if target.exists():
        raise FileExistsError(f"{target} existe déjà.")
    code = cli.main(["backup", str(partial)])
    if code != 0:
        raise RuntimeError(f"la commande backup a échoué (code {code}) : sauvegarde laissée dans {partial}")
    partial.rename(target)
    for name in to_remove([p.name for p in directory.iterdir() if p.is_dir()], keep):
        shutil.rmtree(directory / name)  # older backups, and what failed nights left half-written
    return target


def table_counts(db) -> dict[str, int]:
    """Rows of every table of the database."""
    with db.cursor() as cur:
        tables = [r[0] for r in cur.execute(
            "select table_name from information_schema.tables where table_type = 'BASE TABLE' "
            "and table_schema = 'main' order by table_name").fetchall()]
        return {t: cur.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}


def _cmd_nightly(args) -> int:
    try:
        target = nightly(args.dossier, args.garder)
    except (RuntimeError, ValueError, FileExistsError) as exc:
        print(f"Sauvegarde nocturne non faite : {exc}", file=sys.stderr)
        return 1
    kept = sorted(p.name for p in args.dossier.iterdir() if p.is_dir() and _STAMP.match(p.name))
    print(f"Sauvegarde nocturne : {target} ({len(kept)} conservée(s), de {kept[0]} à {kept[-1]}).")
    return 0


def _cmd_state(args) -> int:
    from qualepref import db as dbmod

    with dbmod.Database(args.base, read_only=True, migrate=False) as database:
        print(f"base : {database.path}")
        print(f"data_version : {database.data_version()}")
        for table, rows in table_counts(database).items():
            print(f"{table} : {rows}")
    return 0


def register_cli(sub) -> None:
    nightly_cmd = sub.add_parser(
        "sauvegarde-nocturne", help="sauvegarde datée dans un dossier, avec rotation (service systemd)",
        description="Écrit la sauvegarde du jour dans DOSSIER/<date> (commande backup) puis ne garde que "
        "les N plus récentes. Application arrêtée (la base n'accepte qu'un programme à la fois).",
    )
    nightly_cmd.add_argument("dossier", type=Path)
    nightly_cmd.add_argument("--garder", type=int, default=14, help="nombre de sauvegardes conservées (14)")
    nightly_cmd.set_defaults(func=_cmd_nightly)

    state = sub.add_parser("etat", help="version des données et nombre de lignes par table (lecture seule)")
    state.add_argument("--base", type=Path, default=None, help="fichier de base (défaut : QUALEPREF_DB)")
    state.set_defaults(func=_cmd_state)
