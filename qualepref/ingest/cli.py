"""`python -m qualepref import PATH …` (DESIGN §4), registered in `qualepref.cli`.

Exit codes: 0 written (or valid with --dry-run), 1 rejected (nothing
written, not even a history row) or database busy, 2 usage error. With
`--json` standard output holds only the JSON report; logs go to standard
error.
"""

from __future__ import annotations

import getpass
import json
import logging
import sys
from pathlib import Path

from qualepref import campaigns, sql
from qualepref import db as dbmod
from qualepref.access import Principal, Role
from qualepref.config import max_upload_bytes
from qualepref.ingest import plan as planmod
from qualepref.ingest.issues import Issue

log = logging.getLogger("qualepref.import")


def register(sub) -> None:
    parser = sub.add_parser(
        "import", help="importer un fichier (tableau de bord, enquête, conformité) .xlsx ou .csv",
        description="Importe un fichier .xlsx ou .csv dans la base désignée par QUALEPREF_DB. "
        "Codes de sortie : 0 écrit (ou valide avec --dry-run), 1 refusé (rien n'est écrit), 2 erreur d'usage.",
    )
    parser.add_argument("path", metavar="PATH", type=Path, help="fichier .xlsx ou .csv")
    parser.add_argument("--site", help="préfecture des lignes sans colonne Site (code, nom ou ville)")
    parser.add_argument("--campaign", metavar="CAMPAGNE",
                        help="campagne d'enquête : l'année, suivie si besoin d'un nom (2025, « 2025 en ligne »)")
    parser.add_argument("--kind", choices=planmod.KINDS, default="auto",
                        help="type de données (défaut : reconnu automatiquement)")
    parser.add_argument("--dry-run", action="store_true", help="vérifier seulement, ne rien écrire")
    parser.add_argument("--json", action="store_true", help="n'écrire que le rapport JSON sur la sortie standard")
    parser.set_defaults(func=run)


def _uploaded_by() -> str:
    try:
        user = getpass.getuser()
    except Exception:  # no login name in some containers
        user = "inconnu"
    return f"ligne de commande ({user})"


def _print_human(plan, result, dry_run: bool) -> None:
    out = sys.stdout
    kind = planmod.KIND_LABELS.get(plan.kind, plan.kind or "inconnu")
    print(f"Fichier : {plan.file_name}", file=out)
    if plan.layouts:
        print("Mise en forme : " + " ; ".join(f"{s or 'CSV'} → {label}" for s, label in plan.layouts), file=out)
    print(f"Type : {kind} · lignes lues : {plan.rows_read}", file=out)
    if plan.errors:
        print(f"\nFichier refusé : {len(plan.errors)} erreur(s), rien n'a été écrit.", file=out)
    for title, issues in (("Erreurs", plan.errors), ("Avertissements", plan.warnings)):
        if issues:
            print(f"\n{title} :", file=out)
            for issue in issues:
                where = ", ".join(p for p in (
                    f"feuille « {issue.sheet} »" if issue.sheet else None,
                    f"ligne {issue.row}" if issue.row else None,
                    f"colonne {issue.column}" if issue.column else None,
                ) if p)
                value = f" [valeur : {issue.value}]" if issue.value else ""
                print(f"  - {where + ' : ' if where else ''}{issue.message}{value}", file=out)
    if plan.errors:
        return
    total = plan.total
    if (result is not None and result.unchanged) or (result is None and plan.changes_nothing):
        note = " (fichier déjà importé)" if plan.already_imported else ""
        print(f"\nAucun changement : les données sont déjà à jour{note}. Rien n'a été écrit.", file=out)
    elif dry_run:
        print(f"\nFichier valide (--dry-run, rien n'a été écrit) : {total.new} nouvelle(s) valeur(s), "
              f"{total.replaced} remplacée(s), {total.deleted} supprimée(s), {total.unchanged} inchangée(s).",
              file=out)
    else:
        print(f"\nImport n° {result.upload_id} enregistré : {result.rows_written} ligne(s) écrite(s) dont "
              f"{result.rows_replaced} remplacée(s), {result.rows_deleted} supprimée(s).", file=out)


def _refused(args, message: str) -> int:
    plan = planmod.ImportPlan(file_name=args.path.name, sha256="",
                              kind=None if args.kind == "auto" else args.kind)
    plan.errors.append(Issue(None, None, None, None, message))
    if args.json:
        print(json.dumps(planmod.report_json(plan), ensure_ascii=False))
    else:
        print(message, file=sys.stderr)
    return 1


def run(args) -> int:
    path: Path = args.path
    if not path.is_file():
        print(f"Fichier introuvable : {path}", file=sys.stderr)
        return 2
    size = path.stat().st_size
    if size > max_upload_bytes():
        return _refused(args, f"Le fichier fait {size / 1_048_576:.1f} Mo, au-delà du maximum autorisé "
                              f"({max_upload_bytes() / 1_048_576:.0f} Mo).".replace(".", ",", 1))
    content = path.read_bytes()
    try:
        database = dbmod.Database()
    except dbmod.DatabaseBusyError as exc:
        return _refused(args, str(exc))
    with database:
        codes = [row[0] for row in sql.execute(database.cursor(), "site_codes")]
        scope = Principal(user="ligne de commande", role=Role.ADMIN).scope(codes)
        if args.campaign is not None and campaigns.parse(args.campaign) is None:
            print(f"--campaign : campagne non reconnue « {args.campaign} » ({campaigns.HELP} attendu).",
                  file=sys.stderr)
            return 2
        if args.site is not None:
            from qualepref.ingest import reference

            if reference.load(database, scope).sites.match(args.site) is None:
                print(f"--site : préfecture inconnue « {args.site} » (code, nom ou ville attendu).", file=sys.stderr)
                return 2
        log.info("analyse de %s", path)
        plan = planmod.analyse(content, path.name, db=database, scope=scope, site=args.site, kind=args.kind,
                               campaign=args.campaign)
        result = None
        if plan.ok and not args.dry_run:
            log.info("écriture dans %s", database.path)
            result = planmod.commit(plan, db=database, scope=scope, uploaded_by=_uploaded_by())
    if args.json:
        print(json.dumps(planmod.report_json(plan, result), ensure_ascii=False, default=str))
    else:
        _print_human(plan, result, args.dry_run)
    return 0 if plan.ok else 1
