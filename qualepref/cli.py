"""Command line: `python -m qualepref COMMAND …` (messages in French).

Exit codes: 0 success, 1 refused (bad file, busy database…), 2 usage error.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from qualepref import backup, demo
from qualepref import db as dbmod


def _cmd_backup(args) -> int:
    with dbmod.Database() as db:
        target = backup.backup(db, args.dossier)
    print(f"Sauvegarde écrite dans {target} (manifeste : {backup.MANIFEST}). Elle contient les données de "
          "toutes les préfectures et les empreintes des mots de passe : rangez-la à l'abri.")
    return 0


def _cmd_restore(args) -> int:
    target = backup.restore(args.dossier)
    print(f"Base restaurée dans {target} depuis {args.dossier}")
    return 0


def _cmd_demo(args) -> int:
    with dbmod.Database() as db:
        if args.supprimer:
            removed = demo.remove(db, actor="ligne de commande")
            print(f"{sum(removed.values())} lignes de démonstration supprimées.")
        else:
            if not demo.is_empty(db):
                print("La base contient déjà des données : démonstration non chargée.", file=sys.stderr)
                return 1
            written = demo.load(db, seed=args.graine)
            print(f"{sum(written.values())} lignes de démonstration chargées.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m qualepref",
        description="Qual-e-Pref · Tableau de bord : commandes d'administration. "
        "La base est le fichier désigné par QUALEPREF_DB (défaut : data/qualepref.duckdb).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")

    backup_cmd = sub.add_parser("backup", help="sauvegarder la base (Parquet et manifeste) dans un dossier neuf")
    backup_cmd.add_argument("dossier", type=Path)
    backup_cmd.set_defaults(func=_cmd_backup)

    restore = sub.add_parser("restore", help="restaurer la base depuis un dossier de sauvegarde (vérifié d'abord)")
    restore.add_argument("dossier", type=Path)
    restore.set_defaults(func=_cmd_restore)

    demo_cmd = sub.add_parser("demo", help="charger (base vide) ou supprimer les données de démonstration")
    demo_cmd.add_argument("--supprimer", action="store_true", help="supprimer les données de démonstration")
    demo_cmd.add_argument("--graine", type=int, default=demo.DEFAULT_SEED, help=argparse.SUPPRESS)
    demo_cmd.set_defaults(func=_cmd_demo)

    for register in _EXTRA_COMMANDS:
        register(sub)
    return parser


# Other modules (e.g. the importer) add their sub-commands here.
_EXTRA_COMMANDS: list = []


def _register_import(sub) -> None:
    # Imported lazily: the import engine pulls pandas/fastexcel, which other commands do not need.
    from qualepref.ingest.cli import register

    register(sub)


_EXTRA_COMMANDS.append(_register_import)


def _register_accounts(sub) -> None:
    from qualepref.auth import register_cli

    register_cli(sub)


_EXTRA_COMMANDS.append(_register_accounts)


def _register_backups(sub) -> None:
    from qualepref.backups import register_cli

    register_cli(sub)


_EXTRA_COMMANDS.append(_register_backups)


def _register_sites(sub) -> None:
    from qualepref.sites_cli import register

    register(sub)


_EXTRA_COMMANDS.append(_register_sites)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s", stream=sys.stderr)
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except dbmod.DatabaseBusyError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except FileNotFoundError as exc:
        print(f"Fichier ou dossier introuvable : {exc}", file=sys.stderr)
        return 1
    except backup.BackupError as exc:
        print(str(exc), file=sys.stderr)
        return 1
