"""Part 2: every page's full script run with AppTest, cold and warm, on each data set."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from qualepref.bench.measure import median
from qualepref.bench.session import ROOT, page_files


def run_page(db_file: Path, page: str, warm_runs: int, *, timeout: float = 300) -> dict:
    """Cold and warm runs of one page in a new process."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "qualepref.bench.page_worker", str(db_file), page, str(warm_runs)],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout,
    )
    wall = time.perf_counter() - start
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"page": page, "process_s": wall, "cold_s": None, "warm_s": [], "warm_median_s": None,
                "warm_cpu_median_s": None,
                "errors": [f"le processus a échoué ({proc.returncode}) : {proc.stderr[-500:]}"]}
    result = json.loads(lines[-1])
    result["process_s"] = wall
    result["warm_median_s"] = median(result["warm_s"])
    result["warm_cpu_median_s"] = median(result.get("warm_cpu_s") or [])
    return result


SKIPPED = "non mesurée : budget de temps du banc épuisé"


def run(datasets: dict[str, Path], work_dir: Path, *, warm_runs: int = 5, pages=None,
        deadline: float | None = None, log=print) -> dict:
    """{data set: {page: result}}; each data set is copied so the pages may migrate or write.

    Past `deadline` (a `time.monotonic()` value) the remaining pages are listed as not measured,
    so the whole benchmark keeps to its budget on a busy machine.
    """
    pages = pages or page_files()
    out = {}
    for name, source in datasets.items():
        db_file = work_dir / f"pages-{name}.duckdb"
        db_file.unlink(missing_ok=True)
        shutil.copy(source, db_file)
        out[name] = {}
        for page in pages:
            if deadline is not None and time.monotonic() > deadline:
                out[name][page] = {"page": page, "cold_s": None, "warm_s": [], "warm_median_s": None,
                                   "warm_cpu_median_s": None, "errors": [], "skipped": SKIPPED}
                continue
            result = run_page(db_file, page, warm_runs)
            out[name][page] = result
            cold = "—" if result["cold_s"] is None else f"{result['cold_s'] * 1000:.0f} ms"
            warm = "—" if result["warm_median_s"] is None else f"{result['warm_median_s'] * 1000:.0f} ms"
            flag = f"  ERREUR {result['errors'][0][:120]}" if result["errors"] else ""
            cpu = "—" if result["warm_cpu_median_s"] is None else f"{result['warm_cpu_median_s'] * 1000:.0f} ms"
            log(f"  {name:<10} {page:<28} froid {cold:>8}  chaud {warm:>8} (CPU {cpu:>7}){flag}")
        db_file.unlink(missing_ok=True)
        skipped = sum(1 for r in out[name].values() if r.get("skipped"))
        if skipped:
            log(f"  {name:<10} {skipped} page(s) non mesurée(s) : budget de temps épuisé")
    return out
