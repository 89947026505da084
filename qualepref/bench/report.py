"""Turn the raw results into the checks against the targets, tables, and the README section."""

from __future__ import annotations

import re

from qualepref import fmt
from qualepref.bench.measure import (
    CHECK_HEADERS,
    Check,
    check_rows,
    markdown_table,
    median,
)

PAGE_WARM_TARGET_MS = 250.0
TEN_X_FACTOR = 2.0
README_START = "<!-- bench:start -->"
README_END = "<!-- bench:end -->"


def import_checks(result: dict | None) -> list[Check]:
    if not result:
        return []
    m = result.get("median", {})
    note = result.get("error") or f"{result['file']['rows']} lignes, médiane de {result['runs']} essais"
    return [
        Check("1. Import", "Import réel vs pandas+openpyxl (accélération)", result.get("speedup_vs_naive"),
              5.0, "×", "min", note),
        Check("1. Import", "Import réel ÷ lecture fastexcel seule", result.get("ratio_to_floor"),
              1.5, "×", "max", f"réel {_s(m.get('real_s'))}, naïf {_s(m.get('naive_s'))}, "
              f"plancher {_s(m.get('floor_s'))}"),
    ]


def hostile_checks(result: dict | None) -> list[Check]:
    """Issue 11: every hostile file refused, each in under 2 s, the server's memory up by less than 200 Mo."""
    if not result or not result.get("files"):
        return []
    files = result["files"]
    slowest = max(files, key=lambda f: f["seconds"])
    growths = [f for f in files if f["server_rss_growth_mb"] is not None]
    worst = max(growths, key=lambda f: f["server_rss_growth_mb"]) if growths else None
    unchanged = "base inchangée" if result.get("database_unchanged") else "LA BASE A CHANGÉ"
    return [
        Check("6. Fichiers hostiles", "Fichiers refusés", float(result["refused"]), float(result["count"]), "",
              "min", f"{result['count']} fichiers ; {unchanged}"),
        Check("6. Fichiers hostiles", "Le plus lent jusqu'au refus", slowest["seconds"] * 1000,
              hostile_target("time") * 1000, "ms", "max", slowest["name"]),
        Check("6. Fichiers hostiles", "Hausse de la mémoire (RSS) du serveur, pire fichier",
              worst["server_rss_growth_mb"] if worst else None, hostile_target("rss"), "Mo", "max",
              worst["name"] if worst else ""),
    ]


def hostile_target(which: str) -> float:
    from qualepref.bench.hostile import RSS_TARGET_MB, TIME_TARGET_S

    return TIME_TARGET_S if which == "time" else RSS_TARGET_MB


def hostile_rows(result: dict) -> tuple[list[str], list[list[str]]]:
    headers = ["Fichier", "Taille", "Refusé en", "RSS serveur", "RSS max du processus de lecture", "Refus"]
    rows = []
    for f in result["files"]:
        worker = "arrêté" if f.get("worker_ended") else (
            "—" if f["worker_peak_mb"] is None else f"{fmt.number(f['worker_peak_mb'], 0)} Mo")
        size = fmt.file_size(f["bytes"]) if f["bytes"] >= 1_048_576 else f"{fmt.number(f['bytes'] / 1024, 0)} Ko"
        rows.append([f["name"], size, _ms_text(f["seconds"]) + " ms",
                     "—" if f["server_rss_growth_mb"] is None else f"+{fmt.number(f['server_rss_growth_mb'], 0)} Mo",
                     worker, (f["message"][:90] + "…") if len(f["message"]) > 90 else f["message"]])
    return headers, rows


def _s(value) -> str:
    return "—" if value is None else f"{fmt.number(value, 2)} s"


def _warm_ms(pages: dict) -> dict[str, float | None]:
    return {page: None if r.get("warm_median_s") is None else r["warm_median_s"] * 1000
            for page, r in pages.items()}


def page_checks(result: dict | None, labels: dict[str, str]) -> list[Check]:
    if not result:
        return []
    checks = []
    national = result.get("national", {})
    if national:
        warm = _warm_ms(national)
        measured = [v for v in warm.values() if v is not None]
        slowest = max(warm, key=lambda p: warm[p] or 0)
        checks.append(Check("2. Pages", "Page la plus lente à chaud, national", max(measured, default=None),
                            PAGE_WARM_TARGET_MS, "ms", "max",
                            f"{slowest} ; {sum(v <= PAGE_WARM_TARGET_MS for v in measured)}/{len(warm)} "
                            f"pages ≤ {PAGE_WARM_TARGET_MS:.0f} ms"))
        cpu = {page: r.get("warm_cpu_median_s") for page, r in national.items()}
        cpu_measured = {p: v * 1000 for p, v in cpu.items() if v is not None}
        if cpu_measured:
            worst = max(cpu_measured, key=cpu_measured.get)
            # CPU time of the process barely moves with the machine's load: the same target, read in CPU.
            checks.append(Check("2. Pages", "Page la plus coûteuse à chaud en CPU, national",
                                cpu_measured[worst], PAGE_WARM_TARGET_MS, "ms", "max",
                                f"{worst} (temps CPU du processus, peu sensible à la charge)"))
    for name in ("mois_x10", "sites_x10"):
        if name not in result:
            continue
        warm = _warm_ms(result[name])
        measured = [v for v in warm.values() if v is not None]
        slowest = max(warm, key=lambda p: warm[p] or 0)
        checks.append(Check("2. Pages", f"Page la plus lente à chaud, {labels.get(name, name)}",
                            max(measured, default=None), TEN_X_FACTOR * PAGE_WARM_TARGET_MS, "ms", "max",
                            slowest))
    errors = sum(len(r.get("errors") or []) for pages in result.values() for r in pages.values())
    checks.append(Check("2. Pages", "Exceptions pendant les exécutions AppTest", float(errors), 0, "", "max"))
    return checks


def concurrency_checks(result: dict | None) -> list[Check]:
    if not result or not result.get("levels"):
        return []
    levels = {lvl["users"]: lvl for lvl in result["levels"]}
    checks = [Check("4. Charge", "Erreurs (exceptions, délais dépassés), tous niveaux",
                    float(sum(lvl["errors"] for lvl in levels.values())), 0, "", "max")]
    cpu = [lvl["cpu_per_view_ms"] for lvl in levels.values() if lvl["cpu_per_view_ms"] is not None]
    checks.append(Check("4. Charge", "CPU serveur par page vue (pire niveau)", max(cpu, default=None),
                        150.0, "ms", "max",
                        ", ".join(f"{u} util. : {lvl['cpu_per_view_ms']:.0f} ms" for u, lvl in levels.items()
                                  if lvl["cpu_per_view_ms"] is not None)))
    top = max(levels)
    checks.append(Check("4. Charge", f"p95 jusqu'à page prête, {top} sessions",
                        levels[top]["p95_s"] * 1000 if levels[top]["p95_s"] is not None else None,
                        3000.0, "ms", "max", f"p50 {levels[top]['p50_s'] * 1000:.0f} ms"
                        if levels[top]["p50_s"] is not None else ""))
    low = min(levels)
    if low != top and levels[low]["rss_mb_max"] and levels[top]["rss_mb_max"]:
        checks.append(Check("4. Charge", f"RSS serveur {top} sessions ÷ {low} session",
                            levels[top]["rss_mb_max"] / levels[low]["rss_mb_max"], 1.5, "×", "max",
                            f"{levels[low]['rss_mb_max']:.0f} → {levels[top]['rss_mb_max']:.0f} Mo (max)"))
    return checks


SOAK_GROWTH_TARGET_MB = 25.0  # per 1,000 views once warm: the caches are bounded, nothing else should grow


def soak_checks(result: dict | None) -> list[Check]:
    if not result:
        return []
    note = (f"{result['views']} vues : {fmt.number(result['rss_mb_after_warm_up'], 0)} → "
            f"{fmt.number(result['rss_mb_end'], 0)} Mo (max {fmt.number(result['rss_mb_max'], 0)}), "
            f"postScriptGC={result['post_script_gc']}")
    return [Check("5. Endurance", "Croissance de la RSS après échauffement (Mo / 1 000 vues)",
                  result.get("growth_mb_per_1000_views"), SOAK_GROWTH_TARGET_MB, "Mo", "max", note),
            Check("5. Endurance", "Exceptions pendant l'endurance", float(result["errors"]), 0, "", "max")]


def protocol_checks(result: dict | None) -> list[Check]:
    """Part 5: the server alone (protocol load client), target p95 ≤ 1 s at 50 sessions."""
    if not result or not result.get("levels"):
        return []
    levels = result["levels"]
    checks = [Check("7. Serveur seul", "Erreurs (exceptions, délais dépassés), tous niveaux",
                    float(sum(lvl["errors"] for lvl in levels)), 0, "", "max")]
    for lvl in levels:
        if lvl["sessions"] == 50 and lvl.get("start_spread_s"):
            checks.append(Check("7. Serveur seul", "p95 d'une page vue, 50 sessions", lvl["p95_ms"], 1000.0, "ms",
                                "max", f"p50 {lvl['p50_ms']:.0f} ms" if lvl["p50_ms"] is not None else ""))
    cpu = [lvl["cpu_ms_per_view"] for lvl in levels if lvl["cpu_ms_per_view"] is not None]
    checks.append(Check("7. Serveur seul", "CPU serveur par page vue (pire niveau)", max(cpu, default=None),
                        150.0, "ms", "max"))
    return checks


def protocol_rows(result: dict) -> tuple[list[str], list[list[str]]]:
    headers = ["Niveau", "Pages vues", "Erreurs", "p50", "p95", "1re page p95", "CPU serveur / page",
               "Cœur occupé par le serveur", "RSS max"]

    def ms(value) -> str:
        return "—" if value is None else f"{value:.0f}"

    rows = [[lvl["label"], lvl["views"], lvl["errors"], ms(lvl["p50_ms"]), ms(lvl["p95_ms"]),
             ms(lvl["first_view_p95_ms"]), ms(lvl["cpu_ms_per_view"]),
             "—" if lvl.get("server_cpu_share") is None else f"{lvl['server_cpu_share'] * 100:.0f} %",
             f"{lvl['rss_mb_max']:.0f} Mo"] for lvl in result["levels"]]
    return headers, rows


def page_rows(result: dict, names: list[str]) -> tuple[list[str], list[list[str]]]:
    """Per page: cold, warm (wall clock) and warm CPU time at each data set, in ms."""
    headers = (["Page"] + [f"{n} froid" for n in names] + [f"{n} chaud" for n in names]
               + [f"{n} chaud CPU" for n in names])
    pages = sorted({p for n in names for p in result.get(n, {})})
    rows = []
    for page in pages:
        entries = [result.get(n, {}).get(page, {}) for n in names]
        rows.append([page.removeprefix("pages/").removesuffix(".py")]
                    + [_ms_text(e.get("cold_s")) for e in entries]
                    + [_ms_text(e.get("warm_median_s")) for e in entries]
                    + [_ms_text(e.get("warm_cpu_median_s")) for e in entries])
    return headers, rows


def _ms_text(seconds) -> str:
    return "—" if seconds is None else f"{seconds * 1000:.0f}"


def query_rows(result: dict, names: list[str], *, top: int | None = None) -> tuple[list[str], list[list[str]]]:
    """Reads by latency at the largest data sets (all sites scope), in ms."""
    headers = ["Requête"] + [f"{n} tous" for n in names] + [f"{n} 1 site" for n in names]
    queries = sorted({q for n in names for q, e in result.get(n, {}).items() if e.get("status") == "mesurée"})

    def worst(q):
        return max((result[n][q].get("tous", {}).get("median_ms") or 0) for n in names if q in result.get(n, {}))

    queries.sort(key=worst, reverse=True)
    rows = []
    for q in queries[:top] if top else queries:
        all_sites = [result.get(n, {}).get(q, {}).get("tous", {}).get("median_ms") for n in names]
        one = [result.get(n, {}).get(q, {}).get("un_site", {}).get("median_ms") for n in names]
        rows.append([q] + [_q(v) for v in all_sites] + [_q(v) for v in one])
    return headers, rows


def _q(ms) -> str:
    if ms is None:
        return "—"
    return fmt.number(ms, 1 if ms < 10 else 0)


def query_status_counts(result: dict) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entries in result.values():
        for entry in entries.values():
            key = entry["status"] if not entry["status"].startswith("erreur") else "erreur"
            counts[key] = counts.get(key, 0) + 1
    return counts


def markdown_section(results: dict, checks: list[Check]) -> str:
    """The README's "Performances" section body (between the markers)."""
    m = results["machine"]
    minutes = fmt.number(results["elapsed_s"] / 60, 1)
    lines = [
        f"Mesuré le {results['finished_at']} par `make bench` (`python -m qualepref.bench`, "
        f"{minutes} min) sur : {m['nproc']} cœurs ({m['cpu_model']}), "
        f"{m['ram_gb']} Go de RAM, Python {m['python']} ; charge moyenne (1/5/15 min) au début "
        f"{_load(results['load_start'])}, à la fin {_load(results['load_end'])} "
        "(d'autres processus partageaient la machine : les médianes et les rapports mesurés dans "
        "le même passage comptent plus que les valeurs absolues)."
        + (f" Parties mesurées à part depuis, chacune à sa date : {', '.join(results['merged_parts'])}."
           if results.get("merged_parts") else ""),
        "",
        markdown_table(CHECK_HEADERS, check_rows(checks)),
        "",
    ]
    if results.get("capacity"):
        lines += [results["capacity"]["text"], ""]
    pages = results.get("pages")
    if pages:
        names = list(pages)
        headers, rows = page_rows(pages, names)
        lines += ["**Pages** (AppTest, ms : froid = premier passage dans un nouveau processus, "
                  "chaud = médiane des passages suivants)", "", markdown_table(headers, rows), ""]
    imported = results.get("import")
    if imported and imported.get("median"):
        m = imported["median"]
        size_mb = fmt.number(imported["file"]["bytes"] / 1e6, 1)
        lines += [f"**Import** du fichier long national ({imported['file']['rows']} lignes, "
                  f"{size_mb} Mo ; médianes de {imported['runs']} essais) : "
                  f"import réel {_s(m.get('real_s'))} (analyse {_s(m.get('analyse_s'))}, "
                  f"enregistrement {_s(m.get('commit_s'))}), pandas + openpyxl + insertion "
                  f"{_s(m.get('naive_s'))}, lecture fastexcel seule {_s(m.get('floor_s'))}.", ""]
    hostile = results.get("hostile")
    if hostile and hostile.get("files"):
        headers, rows = hostile_rows(hostile)
        when = hostile.get("measured_at", "")
        lines += [f"**Fichiers hostiles** (partie 6, mesurée le {when}, charge {_load(hostile.get('load'))} ; "
                  "`ingest.analyse` comme la page *Import* ; RSS serveur = hausse du pic de mémoire du processus "
                  "qui appelle l'import, le processus de lecture étant à part)", "", markdown_table(headers, rows), ""]
    load = results.get("concurrency")
    if load and load.get("levels"):
        headers = ["Sessions", "Pages vues", "Erreurs", "p50", "p95", "CPU serveur / page",
                   "Cœur occupé par le serveur", "RSS max"]
        rows = [[lvl["users"], lvl["views"], lvl["errors"], _ms_text(lvl["p50_s"]), _ms_text(lvl["p95_s"]),
                 "—" if lvl["cpu_per_view_ms"] is None else f"{lvl['cpu_per_view_ms']:.0f}",
                 "—" if lvl.get("server_cpu_share") is None else f"{lvl['server_cpu_share'] * 100:.0f} %",
                 "—" if lvl["rss_mb_max"] is None else f"{lvl['rss_mb_max']:.0f} Mo"]
                for lvl in load["levels"]]
        lines += [f"**Charge** (vrai serveur, Chromium ; {load['levels'][0]['seconds']:.0f} s environ par niveau ; "
                  "temps en ms jusqu'à la page prête). Les navigateurs tournent sur les mêmes 2 cœurs que le "
                  "serveur : quand le serveur n'occupe qu'une fraction d'un cœur, l'attente vient surtout du "
                  "dessin des pages par les onglets Chromium, pas de l'application.", "",
                  markdown_table(headers, rows), ""]
    protocol = results.get("protocol_load")
    if protocol and protocol.get("levels"):
        headers, rows = protocol_rows(protocol)
        lines += [f"**Serveur seul** (partie 7 : client qui parle le protocole WebSocket de Streamlit, sans "
                  f"navigateur ni dessin ; chaque session ouvre une page toutes les {protocol['think_s']:.0f} s "
                  f"± 50 % pendant {protocol['level_s']:.0f} s, débuts étalés sur 20 s sauf le dernier niveau ; "
                  "temps en ms de la demande de page au message de fin d'exécution ; la 1re page d'une session "
                  "comprend l'ouverture du WebSocket). Mesuré le " + str(protocol.get("measured_at", "—"))
                  + ", charge de la machine (1/5/15 min) au début " + _load(protocol.get("load_start"))
                  + ", à la fin " + _load(protocol.get("load_end")) + " : la machine était partagée, "
                  "le serveur n'avait pas un cœur pour lui.", "", markdown_table(headers, rows), ""]
    queries = results.get("queries")
    if queries:
        names = list(queries)
        headers, rows = query_rows(queries, names, top=10)
        lines += ["**Requêtes les plus lentes** (ms, médiane ; toutes dans `bench/results.json`)", "",
                  markdown_table(headers, rows), ""]
    return "\n".join(lines).rstrip() + "\n"


def _load(values) -> str:
    return " / ".join(fmt.number(v, 1) for v in values) if values else "—"


def replace_section(readme: str, body: str) -> str:
    """Put `body` between the bench markers (added under a "## Performances" title if absent)."""
    block = f"{README_START}\n{body}{README_END}"
    if README_START in readme and README_END in readme:
        return re.sub(re.escape(README_START) + r".*?" + re.escape(README_END), lambda _: block, readme,
                      flags=re.DOTALL)
    return readme.rstrip() + "\n\n## Performances\n\n" + block + "\n"


def summary_median(values) -> float | None:
    return median(v for v in values if v is not None)
