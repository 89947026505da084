"""Part 3: latency of every statement in `queries/`, on each data set.

Reads run through `sql.run` with the scope of all sites and of one site,
with parameter values taken from the data (the last twelve months, the last
campaign, an indicator with a target...). Parameters are recognised by name;
a statement whose parameters cannot be guessed is reported as such rather
than timed with nonsense. Writes and DDL are not timed here (the import part
measures the write path).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from qualepref import access, sql
from qualepref.bench.measure import median
from qualepref.config import QUERIES_DIR
from qualepref.db import Database

WRITE_KEYWORDS = ("insert", "update", "delete", "create", "drop", "alter", "copy", "checkpoint")
NOT_MEASURED_WRITE = "écriture, non mesurée (l'import mesure le chemin d'écriture)"


def statement_kind(text: str) -> str:
    """"read" or "write": a write starts with a write keyword or reads a staging table."""
    body = re.sub(r"--[^\n]*", "", text).strip().lower()
    first = body.split(None, 1)[0] if body else ""
    if first in WRITE_KEYWORDS or re.search(r"\bstaging_[a-z_]+\b", body):
        return "write"
    if re.search(r"^\s*(insert|update|delete)\b", body, re.MULTILINE):
        return "write"  # a CTE feeding a write
    return "read"


def literal_choices(text: str, name: str) -> list[str]:
    """String literals the statement compares `$name` with (`$mode = 'moyenne'`)."""
    found = re.findall(rf"\${name}\s*=\s*'([^']*)'", text) + re.findall(rf"'([^']*)'\s*=\s*\${name}\b", text)
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class Facts:
    """Parameter values derived from a data set."""

    first_month: date
    last_month: date
    campaigns: list[str]
    indicator: str
    indicators: list[str]
    question: str
    site: str
    sites: list[str]


def facts_of(db: Database) -> Facts:
    # Bench-only reads to choose realistic parameters (not product SQL).
    with db.cursor() as cur:
        months = cur.execute("select min(period_start), max(period_start) from indicator_values "
                             "where period_kind = 'month'").fetchone()
        campaigns = [r[0] for r in cur.execute(
            "select distinct campaign from survey_results order by campaign").fetchall()]
        indicator = cur.execute(
            "select indicator_code, count(*) as n from indicator_values join indicators using "
            "(indicator_code) where target is not null group by all order by n desc, 1 limit 1").fetchone()
        indicators = [r[0] for r in cur.execute(
            "select distinct indicator_code from indicator_values order by 1").fetchall()]
        question = cur.execute("select min(question_code) from survey_results").fetchone()[0]
        sites = [r[0] for r in cur.execute(
            "select site_code from indicator_values group by 1 order by count(*) desc, 1").fetchall()]
    return Facts(first_month=months[0], last_month=months[1], campaigns=campaigns or ["2025"],
                 indicator=indicator[0] if indicator else indicators[0], indicators=indicators,
                 question=question, site="87" if "87" in sites else sites[0], sites=sites)


def candidates(name: str, text: str, facts: Facts) -> list:
    """Values to try for `$name`, most plausible first (several when the type is unsure)."""
    last = pd.Timestamp(facts.last_month)
    start = max(pd.Timestamp(facts.first_month), last - pd.DateOffset(months=11)).date()
    end = last.date()
    n = name.lower()
    guessed = _by_name(n, facts, start, end, last)
    return guessed + [v for v in literal_choices(text, name) if v not in guessed]


def _by_name(n: str, facts: Facts, start: date, end: date, last: pd.Timestamp) -> list:
    if n in ("start", "from_month", "debut", "start_month", "period_start"):
        return [start]
    if n in ("end", "end_month", "fin", "period_end"):
        return [end]
    if n in ("until", "as_of", "today", "now"):
        return [(last + pd.offsets.MonthEnd(0)).date()]
    if n in ("start_year", "first_year"):
        return [int(facts.campaigns[0]), facts.campaigns[0]]
    if n in ("end_year", "last_year"):
        return [int(facts.campaigns[-1]), facts.campaigns[-1]]
    if n in ("first_campaign",):
        return [facts.campaigns[0], int(facts.campaigns[0])]
    if n in ("last_campaign", "campaign"):
        return [facts.campaigns[-1], int(facts.campaigns[-1])]
    if n in ("indicator", "indicator_code"):
        return [facts.indicator]
    if n in ("indicators", "indicator_codes"):
        return [facts.indicators]
    if n in ("question", "question_code"):
        return [facts.question]
    if n in ("site_code", "site"):
        return [facts.site]
    if n in ("selected_sites", "site_codes"):
        return [facts.sites]
    if n == "frequency":
        return ["mensuelle"]
    if n == "period_kind":
        return ["month"]
    if n == "step_months":
        return [1]
    if n in ("kinds",):
        return [["indicateurs", "enquete", "conformite"]]
    if n in ("kind",):
        return ["indicateurs"]
    if n.startswith("min_"):
        return [30 if "sample" in n else 5]
    if n in ("module",):
        return [1]
    if n in ("engagement",):
        return [1]
    if n in ("key",):
        return ["data_version"]
    if n in ("limit", "n", "top"):
        return [10]
    if n in ("email",):
        return ["banc@example.invalid"]
    if n in ("entities",):
        return [["compte", "account", "referentiel", "indicateur"]]
    if n in ("region", "region_code"):
        return ["75"]
    return []


def _scopes(db: Database, facts: Facts) -> dict:
    with db.cursor() as cur:
        codes = [row[0] for row in sql.execute(cur, "site_codes")]
    everyone = access.Principal(user="banc", role=access.Role.ADMIN).scope(codes)
    one = access.Principal(user="banc", role=access.Role.COPIL, site_code=facts.site).scope(codes)
    return {"tous": everyone, "un_site": one}


def _bind_params(name: str, facts: Facts) -> tuple[list[dict], list[str]]:
    """Every combination to try (first plausible wins), and the parameters nobody can guess."""
    text = sql.query_text(name)
    wanted = sorted(sql.parameters_of(name) - {"sites"} - sql.CONSTANTS.keys())
    options, unknown = {}, []
    for param in wanted:
        values = candidates(param, text, facts)
        if not values:
            unknown.append(param)
        options[param] = values or [None]
    combos = [{}]
    for param in wanted:
        combos = [{**c, param: v} for c in combos for v in options[param]][:8]
    return combos, unknown


def _runner(db: Database, name: str, scope, params: dict):
    if sql.reads_site_data(name) and "sites" not in sql.parameters_of(name) and not sql.is_aggregate(name):
        # Only the write path uses it (inside a transaction, through `sql.execute`): time it so.
        def call():
            with db.cursor() as cur:
                return sql.execute(cur, name, **params)
        return call
    return lambda: sql.run(db, name, scope=scope, **params)


def time_query(db: Database, name: str, scope, params: dict, runs: int) -> tuple[list[float], int]:
    call = _runner(db, name, scope, params)
    call()  # warm-up (and fails fast on a bad binding)
    times, rows = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        frame = call()
        times.append(time.perf_counter() - start)
        rows = len(frame)
        if sum(times) > 3.0 and len(times) >= 3:
            break
    return times, rows


def measure_dataset(db_file: Path, *, runs: int = 5, names=None) -> dict:
    names = names or sorted(p.stem for p in QUERIES_DIR.glob("*.sql"))
    out = {}
    with Database(db_file, read_only=True) as db:
        facts = facts_of(db)
        scopes = _scopes(db, facts)
        for name in names:
            if statement_kind(sql.query_text(name)) == "write":
                out[name] = {"status": NOT_MEASURED_WRITE}
                continue
            combos, unknown = _bind_params(name, facts)
            entry = {"status": "mesurée", "params": None}
            if unknown:
                entry["unknown_params"] = unknown
            last_error = None
            for params in combos:
                try:
                    for label, scope in scopes.items():
                        times, rows = time_query(db, name, scope, params, runs)
                        entry[label] = {"median_ms": median(times) * 1000, "runs": len(times), "rows": rows}
                    entry["params"] = {k: str(v) if not isinstance(v, list) else f"[{len(v)} valeurs]"
                                       for k, v in params.items()}
                    last_error = None
                    break
                except Exception as exc:  # report any failure of a statement, keep going
                    last_error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
            if last_error:
                entry = {"status": f"erreur : {last_error}", "unknown_params": unknown}
            out[name] = entry
    return out


def run(datasets: dict[str, Path], *, runs: int = 5, log=print) -> dict:
    out = {}
    for name, path in datasets.items():
        start = time.perf_counter()
        out[name] = measure_dataset(path, runs=runs)
        measured = [v for v in out[name].values() if v["status"] == "mesurée"]
        slowest = max((v["tous"]["median_ms"] for v in measured), default=0)
        log(f"  {name:<10} {len(measured)} lectures mesurées, la plus lente {slowest:.1f} ms "
            f"({time.perf_counter() - start:.1f} s)")
    return out


def by_query(results: dict) -> dict:
    """{query: {data set: entry}} (the results are stored per data set)."""
    table: dict = {}
    for dataset, entries in results.items():
        for query, entry in entries.items():
            table.setdefault(query, {})[dataset] = entry
    return table
