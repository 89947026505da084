"""Part 5: endurance — 2,000 page views in one server process, no garbage collection after each run.

The app turns Streamlit's `runner.postScriptGC` off (a full collection after
every script run cost ~100 ms of CPU per view). What that leaves to prove: the
memory of a long-lived process levels off instead of growing with the views —
the shared figures (`ui.shared`, bounded), the query cache (bounded) and
whatever a rerun leaves behind. One worker process (`soak_worker`) runs the
pages of several sessions in turn with AppTest, changing their filters as
people do, and samples its resident memory every 100 views.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from qualepref.bench.session import ROOT

VIEWS = 2000
SAMPLE_EVERY = 100
# The views of the first samples warm the caches up: growth is measured after them.
WARM_UP_VIEWS = 400


def growth_per_thousand(samples: list[tuple[int, float]], warm_up: int = WARM_UP_VIEWS) -> float | None:
    """Least-squares slope of RSS (MB) against views after `warm_up`, per 1,000 views."""
    points = [(v, r) for v, r in samples if v > warm_up]
    if len(points) < 2:
        return None
    n = len(points)
    mean_v = sum(v for v, _ in points) / n
    mean_r = sum(r for _, r in points) / n
    spread = sum((v - mean_v) ** 2 for v, _ in points)
    if not spread:
        return None
    slope = sum((v - mean_v) * (r - mean_r) for v, r in points) / spread
    return slope * 1000


def run(db_source: Path, work_dir: Path, *, views: int = VIEWS, timeout: float = 3600, log=print) -> dict:
    """Run the worker on a copy of `db_source`; its samples and the figures derived from them."""
    work_dir.mkdir(parents=True, exist_ok=True)
    db_file = work_dir / "soak.duckdb"
    db_file.unlink(missing_ok=True)
    shutil.copy(db_source, db_file)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "qualepref.bench.soak_worker", str(db_file), str(views)],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    db_file.unlink(missing_ok=True)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"le processus d'endurance a échoué ({proc.returncode}) : {proc.stderr[-800:]}")
    result = json.loads(lines[-1])
    samples = [tuple(s) for s in result["samples"]]
    warm_up = min(WARM_UP_VIEWS, views // 5)
    after_warm_up = [r for v, r in samples if v >= warm_up]
    result.update({
        "wall_s": time.perf_counter() - started,
        "rss_mb_after_warm_up": after_warm_up[0] if after_warm_up else None,
        "rss_mb_end": samples[-1][1] if samples else None,
        "rss_mb_max": max((r for _, r in samples), default=None),
        "growth_mb_per_1000_views": growth_per_thousand(samples, warm_up),
        "warm_up_views": warm_up,
    })
    def mb(value) -> str:
        return "—" if value is None else f"{value:.0f} Mo"

    slope = result["growth_mb_per_1000_views"]
    log(f"  {result['views']} pages vues en {result['wall_s']:.0f} s, {result['errors']} erreur(s) ; RSS "
        f"{mb(result['rss_mb_start'])} au début, {mb(result['rss_mb_after_warm_up'])} après {warm_up} vues, "
        f"{mb(result['rss_mb_end'])} à la fin (max {mb(result['rss_mb_max'])}) ; pente "
        f"{'—' if slope is None else f'{slope:.1f}'} Mo / 1 000 vues ; postScriptGC={result['post_script_gc']}")
    return result
