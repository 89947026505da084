"""`python -m qualepref site lister|ajouter|modifier …`: the administrator's site edits from a shell.

The same checks and audit log as the *Sites* page (qualepref.sites_edit). Exit codes: 0 done,
1 refused (invalid site, busy database), 2 usage error.
"""

from __future__ import annotations

import getpass
import sys

from qualepref import db as dbmod
from qualepref import sites, sites_edit, sql, vocab


def _actor() -> str:
    try:
        return f"ligne de commande ({getpass.getuser()})"
    except Exception:  # no login name in some containers
        return "ligne de commande"


def _list(args) -> int:
    with dbmod.Database() as database, database.cursor() as cur:
        rows = cur.execute(sql.query_text("sites_admin")).fetchall()
    for code, name, kind, parent, tncc, region, _, city, _, lon, lat, active, _ in rows:
        where = f" (rattachée à {parent})" if parent else ""
        point = "" if lon is None else f" [{lon:.4f}, {lat:.4f}]"
        state = "" if active else " — désactivé"
        print(f"{code}\t{sites.title(kind, name, tncc)}{where}, {city}, région {region}{point}{state}")
    return 0


def _save(args, *, creating: bool) -> int:
    with dbmod.Database() as database:
        with database.cursor() as cur:
            stored = sql.execute(cur, "site_row", site_code=args.code.upper())
        if creating and stored:
            print(f"Le site {args.code} existe déjà : utilisez « site modifier ».", file=sys.stderr)
            return 1
        if not creating and not stored:
            print(f"Site {args.code} inconnu : utilisez « site ajouter ».", file=sys.stderr)
            return 1
        old = dict(zip(("site_code", "site_name", "site_kind", "parent_code", "tncc", "region_code",
                        "prefecture_city", "lon", "lat", "active"), stored[0][:10], strict=True)) if stored else {}

        def pick(name, value, default=None):
            return value if value is not None else old.get(name, default)

        site = sites_edit.Site(
            site_code=args.code.upper(), site_name=pick("site_name", args.nom, ""),
            site_kind=pick("site_kind", args.type, sites.PREFECTURE),
            parent_code=(args.parent or None) if args.parent is not None else old.get("parent_code"),
            tncc=int(pick("tncc", args.article, 0)), region_code=pick("region_code", args.region, ""),
            prefecture_city=pick("prefecture_city", args.ville, ""), lon=pick("lon", args.lon),
            lat=pick("lat", args.lat), active=pick("active", None if args.actif is None else args.actif == "oui", True))
        try:
            action = sites_edit.save(database, site, actor=_actor())
        except sites_edit.SiteError as exc:
            print(f"Site refusé : {exc}", file=sys.stderr)
            return 1
    print(f"Site {site.site_code} : {action or 'rien n’a changé'}.")
    return 0


def register(sub) -> None:
    parser = sub.add_parser("site", help="lister, ajouter ou modifier un site (préfecture, sous-préfecture…)",
                            description="Sites de la démarche. Chaque changement est tracé dans l'historique.")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("lister", help="tous les sites").set_defaults(func=_list)
    for name, creating in (("ajouter", True), ("modifier", False)):
        cmd = actions.add_parser(name, help=f"{name} un site")
        cmd.add_argument("--code", required=True, help="code du département (préfecture) ou code INSEE de la commune")
        cmd.add_argument("--nom", help="nom tel qu'il s'écrit (« Haute-Vienne », « Le Havre »)")
        cmd.add_argument("--type", choices=vocab.SITE_KINDS.codes)
        cmd.add_argument("--parent", help="préfecture de rattachement d'une sous-préfecture (vide : aucune)")
        cmd.add_argument("--article", type=int, choices=sites.TNCC_CODES, help="type de nom en clair de l'INSEE (TNCC)")
        cmd.add_argument("--region", help="code de la région (INSEE), COM pour l'outre-mer")
        cmd.add_argument("--ville")
        cmd.add_argument("--lon", type=float)
        cmd.add_argument("--lat", type=float)
        cmd.add_argument("--actif", choices=("oui", "non"))
        cmd.set_defaults(func=lambda args, creating=creating: _save(args, creating=creating))
