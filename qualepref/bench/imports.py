"""Part 1: importing the national long xlsx, against a naive baseline and a reading floor.

Each run starts from a fresh copy of an empty (migrated) database, so every
import writes the same rows. Three timings per run, on the same file:
- the real import path, `ingest.analyse` then `ingest.commit` (what the page and
  the command line do);
- (a) the naive baseline: `pandas.read_excel(engine="openpyxl")` then one insert
  of the raw frame into DuckDB (no parsing, no validation: a generous baseline);
- (b) the floor: fastexcel reading the sheet into Arrow, nothing else.
"""

from __future__ import annotations

import importlib
import shutil
import time
from pathlib import Path

import pandas as pd

from qualepref.access import SiteScope
from qualepref.bench.measure import median
from qualepref.db import Database

LONG_HEADERS = ("Site", "Indicateur", "Période", "Valeur")


def period_label(start, kind: str) -> str:
    """How a référent writes the period in the long layout: `2025-01`, `T1 2025`, `2025`."""
    start = pd.Timestamp(start)
    if kind == "quarter":
        return f"T{(start.month - 1) // 3 + 1} {start.year}"
    if kind == "year":
        return str(start.year)
    return f"{start.year}-{start.month:02d}"


def long_frame(indicator_values: pd.DataFrame) -> pd.DataFrame:
    """Stored indicator values → the long upload layout (Site, Indicateur, Période, Valeur)."""
    frame = indicator_values.sort_values(["site_code", "indicator_code", "period_start"])
    return pd.DataFrame({
        "Site": frame["site_code"].astype(str).to_numpy(),
        "Indicateur": frame["indicator_code"].astype(str).to_numpy(),
        "Période": [period_label(s, k) for s, k in zip(frame["period_start"], frame["period_kind"],
                                                        strict=True)],
        "Valeur": frame["value"].astype(float).to_numpy(),
    })


def write_long_xlsx(values: pd.DataFrame, path: Path) -> str:
    """Write stored values in the long layout, with the ingest package's sample writer if present.

    Returns which writer was used.
    """
    try:
        samples = importlib.import_module("qualepref.ingest.samples")
        writer = samples.write_long_xlsx
    except (ImportError, AttributeError):
        writer = None
    if writer is not None:
        writer(values, path)
        return "qualepref.ingest.samples.write_long_xlsx"
    import xlsxwriter

    frame = long_frame(values)

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Indicateurs")
    sheet.write_row(0, 0, list(frame.columns))
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        sheet.write_row(i, 0, row)
    book.close()
    return "xlsxwriter"


def _fresh_db(template: Path, work_dir: Path, run: int) -> Path:
    path = work_dir / f"import-{run}.duckdb"
    path.unlink(missing_ok=True)
    shutil.copy(template, path)
    return path


def _scope(db: Database) -> SiteScope:
    from qualepref.bench.datasets import national_scope

    return national_scope(db)


def real_import(xlsx: Path, db: Database) -> dict:
    """The product's import path; returns timings of each step and what it wrote."""
    ingest = importlib.import_module("qualepref.ingest")
    scope = _scope(db)
    start = time.perf_counter()
    content = xlsx.read_bytes()
    plan = ingest.analyse(content, xlsx.name, db=db, scope=scope)
    analysed = time.perf_counter()
    if not getattr(plan, "ok", True):
        errors = [getattr(e, "message", str(e)) for e in getattr(plan, "errors", [])][:3]
        raise ValueError(f"le fichier est refusé par l'import : {errors}")
    result = ingest.commit(plan, db=db, scope=scope, uploaded_by="banc d'essai")
    done = time.perf_counter()
    return {"analyse_s": analysed - start, "commit_s": done - analysed, "total_s": done - start,
            "result": result}


def naive_import(xlsx: Path, db: Database) -> float:
    start = time.perf_counter()
    frame = pd.read_excel(xlsx, engine="openpyxl")
    with db.transaction() as cur:
        cur.register("naive_frame", frame)
        # Bench-only scratch table: the baseline is "read, then insert", nothing more.
        cur.execute("create table naive_import as select * from naive_frame")
        cur.unregister("naive_frame")
    return time.perf_counter() - start


def floor_read(xlsx: Path) -> float:
    import fastexcel

    start = time.perf_counter()
    fastexcel.read_excel(str(xlsx)).load_sheet(0).to_arrow()
    return time.perf_counter() - start


def _rows_written(result) -> int | None:
    for name in ("rows_written", "written"):
        value = getattr(result, name, None)
        if value is None and isinstance(result, dict):
            value = result.get(name)
        if value is not None:
            return int(value)
    counts = getattr(result, "counts", None)
    return getattr(counts, "written", None)


def run(national_db: Path, work_dir: Path, *, runs: int = 3, log=print) -> dict:
    """Export the national values to one long xlsx, then time the three ways of loading it."""
    work_dir.mkdir(parents=True, exist_ok=True)
    with Database(national_db, read_only=True) as db, db.cursor() as cur:
        # Bench-only read of everything stored (the import's input), not product SQL.
        values = cur.execute("select site_code, indicator_code, period_start, period_kind, value "
                             "from indicator_values").df()
    xlsx = work_dir / "national-long.xlsx"
    writer = write_long_xlsx(values, xlsx)
    template = work_dir / "empty-template.duckdb"
    template.unlink(missing_ok=True)
    with Database(template) as db:
        db.checkpoint()
    out = {"file": {"rows": len(values), "bytes": xlsx.stat().st_size, "writer": writer},
           "runs": runs, "real": [], "naive_s": [], "floor_s": [], "error": None}
    # The server keeps a parsing worker warm (the Import page starts it): so does the benchmark.
    importlib.import_module("qualepref.ingest.readers").warm(wait=60)
    for i in range(runs):
        out["floor_s"].append(floor_read(xlsx))
        with Database(_fresh_db(template, work_dir, i)) as db:
            out["naive_s"].append(naive_import(xlsx, db))
        with Database(_fresh_db(template, work_dir, i)) as db:
            try:
                step = real_import(xlsx, db)
            except (ImportError, AttributeError, ValueError) as exc:
                out["error"] = f"import réel impossible : {exc}"
                step = None
        if step is not None:
            written = _rows_written(step.pop("result"))
            out["real"].append({**step, "rows_written": written})
        real_text = "—" if step is None else f"{step['total_s']:.2f} s"
        log(f"  import run {i + 1}/{runs}: réel {real_text}, naïf {out['naive_s'][-1]:.2f} s, "
            f"plancher {out['floor_s'][-1]:.2f} s")
    for i in range(runs):
        (work_dir / f"import-{i}.duckdb").unlink(missing_ok=True)
    real_totals = [r["total_s"] for r in out["real"]]
    out["median"] = {
        "real_s": median(real_totals),
        "analyse_s": median(r["analyse_s"] for r in out["real"]),
        "commit_s": median(r["commit_s"] for r in out["real"]),
        "naive_s": median(out["naive_s"]),
        "floor_s": median(out["floor_s"]),
    }
    m = out["median"]
    out["speedup_vs_naive"] = m["naive_s"] / m["real_s"] if m["real_s"] else None
    out["ratio_to_floor"] = m["real_s"] / m["floor_s"] if m["real_s"] and m["floor_s"] else None
    return out
