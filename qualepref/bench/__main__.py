"""`python -m qualepref.bench [--quick] [--only import,pages,queries,concurrency,soak,hostile,protocol_load] [--merge]`.

Builds the data sets under bench/out/, runs the parts, prints the table of
targets and writes bench/results.json (and, after a complete full run, the
"Performances" section of the README). `--merge` puts the figures of the
parts run into bench/results.json and the README beside the others' (each
part states when it was measured). Budget: under 15 minutes in all.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime

from qualepref import fmt
from qualepref.bench import concurrency, datasets, hostile, imports, pages, protocol_load, queries, report, soak
from qualepref.bench.measure import CHECK_HEADERS, check_rows, load_now, machine, text_table
from qualepref.bench.session import ROOT

PARTS = ("import", "pages", "queries", "concurrency", "soak", "hostile", "protocol_load")
OUT_DIR = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "results.json"
README = ROOT / "README.md"
THINK_TIME_S = 30.0
# The whole run must stay under 15 minutes: the page runs stop at PAGES_END_S after the start,
# and the load levels share what is left of TOTAL_BUDGET_S (each between 15 and 35 s).
TOTAL_BUDGET_S = 840.0
PAGES_END_S = 420.0
CONCURRENCY_OVERHEAD_S = 100.0
# Part 5 (endurance): 2,000 page views in one process.
SOAK_S = 150.0


def _log(message: str) -> None:
    print(message, flush=True)


def parse_args(argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m qualepref.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tailles minuscules, pour mettre au point le banc")
    parser.add_argument("--only", default=",".join(PARTS),
                        help="parties à lancer, séparées par des virgules : " + ",".join(PARTS))
    parser.add_argument("--seconds", type=float, default=None,
                        help="durée de chaque niveau de charge (défaut 35 s, 5 s avec --quick)")
    parser.add_argument("--no-readme", action="store_true", help="ne pas réécrire la section du README")
    parser.add_argument("--merge", action="store_true",
                        help="verser les parties lancées dans bench/results.json et le README, à côté des autres")
    args = parser.parse_args(argv)
    args.parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(args.parts) - set(PARTS)
    if unknown:
        parser.error(f"partie(s) inconnue(s) : {', '.join(sorted(unknown))}")
    return args


def protocol_capacity(result: dict | None) -> dict | None:
    """How many simultaneous users one server carries, from the protocol load levels (p95 ≤ 1 s, no error)."""
    levels = (result or {}).get("levels") or []
    spread = [lvl for lvl in levels if lvl.get("start_spread_s")]
    good = [lvl for lvl in spread if not lvl["errors"] and lvl["p95_ms"] is not None and lvl["p95_ms"] <= 1000]
    if not spread:
        return None
    carried = max((lvl["sessions"] for lvl in good), default=0)
    failed = sorted(lvl["sessions"] for lvl in spread if lvl not in good)
    beyond = min((n for n in failed if n > carried), default=None)
    think = result.get("think_s", 10.0)
    worst_cpu = max((lvl["cpu_ms_per_view"] or 0) for lvl in spread)
    text = (
        f"**Capacité d'un serveur** : un seul processus (DuckDB ne laisse qu'un programme ouvrir le "
        f"fichier de la base, même en lecture seule pendant qu'un autre l'a ouvert en écriture : un "
        f"second processus derrière un répartiteur ne démarrerait pas). Mesuré sans navigateur (partie 7) : "
        f"{carried} sessions actives, chacune ouvrant une page toutes les {think:.0f} s (± 50 %), "
        f"avec un p95 ≤ 1 s et aucune erreur"
        + (f" ; à {beyond} sessions, le p95 dépasse 1 s" if beyond else "")
        + f". Le serveur dépense {worst_cpu:.0f} ms de CPU par page vue au pire niveau, sous un seul "
        "verrou global de Python (GIL) : un cœur au plus. Des utilisateurs qui lisent chaque page "
        f"30 s en moyenne demandent trois fois moins de pages : ≈ {carried * 3} utilisateurs simultanés "
        "(estimation tirée de la mesure, pas mesurée telle quelle)."
    )
    return {"sessions_p95_under_1s": carried, "first_level_over": beyond, "think_time_s": think,
            "worst_cpu_ms_per_view": worst_cpu, "users_at_30s_estimate": carried * 3, "text": text}


def capacity(levels: list[dict]) -> dict | None:
    cpu = [lvl["cpu_per_view_ms"] for lvl in levels if lvl.get("cpu_per_view_ms")]
    if not cpu:
        return None
    per_view = max(cpu)
    one_core = concurrency.users_carried(per_view, cores=1, think_time_s=THINK_TIME_S)
    demand = fmt.number(per_view / THINK_TIME_S, 1)
    text = (
        f"**Capacité estimée** : {per_view:.0f} ms de CPU serveur par page vue (pire niveau mesuré). "
        f"Un utilisateur qui ouvre une page toutes les {THINK_TIME_S:.0f} s (lecture d'un graphique, "
        f"discussion en COPIL) demande {demand} ms de CPU par seconde. Le serveur "
        "Streamlit exécute les scripts en Python sous un seul verrou global (GIL) : compter un cœur, "
        f"tenu sous 70 % pour garder des temps de réponse stables, soit ≈ {one_core} utilisateurs "
        f"simultanés au plus (estimation par le CPU seul ; un seul processus : DuckDB ne laisse qu'un "
        "programme ouvrir la base). La partie 7 (serveur seul) mesure ce que le serveur tient vraiment."
    )
    return {"cpu_per_view_ms": per_view, "think_time_s": THINK_TIME_S, "users_one_core": one_core,
            "text": text}


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    specs = datasets.QUICK if args.quick else datasets.FULL
    started, started_mono = time.perf_counter(), time.monotonic()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    results: dict = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick, "parts": args.parts, "machine": machine(), "load_start": load_now(),
        "datasets": {}, "elapsed_by_part_s": {},
    }
    labels = {spec.name: spec.label for spec in specs}
    needed = specs if {"pages", "queries"} & set(args.parts) else specs[:1]

    _log(f"Banc d'essai ({'rapide' if args.quick else 'complet'}) — charge {results['load_start']}")
    _log("Jeux de données :")
    step = time.perf_counter()
    files = {}
    for spec in needed:
        path = OUT_DIR / f"{spec.name}{'-rapide' if args.quick else ''}.duckdb"
        t0 = time.perf_counter()
        rows = datasets.build(path, spec)
        files[spec.name] = path
        results["datasets"][spec.name] = {"label": spec.label, "n_sites": spec.n_sites,
                                          "n_months": spec.n_months, "rows": rows,
                                          "build_s": time.perf_counter() - t0}
        _log(f"  {spec.label} : {sum(rows.values())} lignes en {time.perf_counter() - t0:.1f} s")
    results["elapsed_by_part_s"]["datasets"] = time.perf_counter() - step
    national = files[specs[0].name]
    work = OUT_DIR / "work"

    def part(name: str, title: str, func):
        if name not in args.parts:
            return
        _log(f"{title} :")
        t0 = time.perf_counter()
        try:
            results[name] = func()
        except Exception as exc:  # one broken part must not lose the others' figures
            results[name] = None
            results.setdefault("failures", {})[name] = f"{type(exc).__name__}: {exc}"
            _log(f"  ÉCHEC : {type(exc).__name__}: {exc}")
        results["elapsed_by_part_s"][name] = time.perf_counter() - t0
        _log(f"  ({time.perf_counter() - t0:.0f} s ; total {time.perf_counter() - started:.0f} s)")

    part("import", "1. Import du fichier long national",
         lambda: imports.run(national, work, runs=2 if args.quick else 3, log=_log))
    part("pages", "2. Pages (AppTest, froid puis chaud)",
         lambda: pages.run(files, work, warm_runs=2 if args.quick else 5,
                           deadline=None if args.quick else started_mono + PAGES_END_S, log=_log))
    part("queries", "3. Requêtes",
         lambda: queries.run(files, runs=2 if args.quick else 5, log=_log))
    def level_seconds() -> float:
        if args.seconds or args.quick:
            return args.seconds or 5.0
        left = TOTAL_BUDGET_S - (time.perf_counter() - started) - CONCURRENCY_OVERHEAD_S
        # Parts that run after this one keep their time.
        left -= SOAK_S if "soak" in args.parts else 0.0
        return max(15.0, min(35.0, left / len(browser_levels)))

    # The browsers share the server's 2 cores: 15 Chromium tabs measured Chromium more than the
    # server (p95 13 s while the server used 15 % of a core). Part 7 measures the server alone.
    browser_levels = (1, 2) if args.quick else (1, 5)

    part("protocol_load", "7. Serveur seul (client du protocole WebSocket de Streamlit, sans navigateur)",
         lambda: protocol_load.run(national, work / "protocol",
                                   levels=protocol_load.QUICK_LEVELS if args.quick else protocol_load.LEVELS,
                                   seconds=10.0 if args.quick else protocol_load.LEVEL_S, log=_log))
    part("concurrency", "4. Charge (navigateurs simultanés sur un vrai serveur)",
         lambda: concurrency.run(national, work, levels=browser_levels,
                                 seconds=level_seconds(), log=_log))

    part("soak", f"5. Endurance ({soak.VIEWS if not args.quick else 200} pages vues, un processus, "
                 "sans ramasse-miettes après chaque exécution)",
         lambda: soak.run(national, work, views=200 if args.quick else soak.VIEWS, log=_log))
    part("hostile", "6. Fichiers hostiles (refus, temps, mémoire du serveur)",
         lambda: hostile.run(national, work, scale=0.05 if args.quick else 1.0, log=_log))

    checks = all_checks(results, labels)
    results["capacity"] = capacity_of(results)
    results["checks"] = [c.as_dict() for c in checks]
    results["load_end"] = load_now()
    results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    results["elapsed_s"] = time.perf_counter() - started

    _log("")
    _log(text_table(CHECK_HEADERS, check_rows(checks)))
    if results.get("pages"):
        headers, rows = report.page_rows(results["pages"], list(results["pages"]))
        _log("\nPages (ms)\n" + text_table(headers, rows))
    if results.get("queries"):
        headers, rows = report.query_rows(results["queries"], list(results["queries"]), top=15)
        _log("\nRequêtes les plus lentes (ms)\n" + text_table(headers, rows))
        _log(f"Statuts : {report.query_status_counts(results['queries'])}")
    if results.get("capacity"):
        _log("\n" + results["capacity"]["text"].replace("**", ""))
    _log(f"\nDurée totale : {results['elapsed_s'] / 60:.1f} min "
         f"({', '.join(f'{k} {v:.0f} s' for k, v in results['elapsed_by_part_s'].items())}) ; "
         f"charge à la fin {results['load_end']}")

    complete = not args.quick and set(args.parts) == set(PARTS)
    if args.merge and not args.quick and not complete and RESULTS.is_file():
        results, checks = merged(json.loads(RESULTS.read_text(encoding="utf-8")), results, args.parts, labels)
        complete = True
    target = RESULTS if complete else OUT_DIR / f"results-{'rapide' if args.quick else 'partiel'}.json"
    target.write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    _log(f"Résultats : {target.relative_to(ROOT)}")
    if complete and not args.no_readme and README.is_file():
        README.write_text(report.replace_section(README.read_text(encoding="utf-8"),
                                                 report.markdown_section(results, checks)), encoding="utf-8")
        _log("README.md : section « Performances » mise à jour")
    return 0


def all_checks(results: dict, labels: dict) -> list:
    return (report.import_checks(results.get("import"))
            + report.page_checks(results.get("pages"), labels)
            + report.concurrency_checks(results.get("concurrency"))
            + report.soak_checks(results.get("soak"))
            + report.hostile_checks(results.get("hostile"))
            + report.protocol_checks(results.get("protocol_load")))


def capacity_of(results: dict) -> dict | None:
    """The server's capacity: from the protocol load (part 7) when measured, else from the browsers' CPU."""
    if results.get("protocol_load"):
        return protocol_capacity(results["protocol_load"])
    if results.get("concurrency"):
        return capacity(results["concurrency"]["levels"])
    return None


def merged(previous: dict, results: dict, parts: list[str], labels: dict) -> tuple[dict, list]:
    """The last complete run's results with the parts just run in place of theirs (and their checks)."""
    out = dict(previous)
    for name in parts:
        out[name] = results.get(name)
        out.setdefault("elapsed_by_part_s", {})[name] = results["elapsed_by_part_s"].get(name)
    out["merged_parts"] = sorted(set(previous.get("merged_parts", [])) | set(parts))
    checks = all_checks(out, labels)
    out["checks"] = [c.as_dict() for c in checks]
    out["capacity"] = capacity_of(out)
    return out, checks


if __name__ == "__main__":
    sys.exit(main())
