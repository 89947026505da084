"""Part 6: hostile uploads, each refused in under 2 s with the server's memory barely moving (issue 11).

The benchmark process plays the server: it calls `ingest.analyse` (what the
Import page and the command line call) on every file of
`hostile_files.corpus()`, against a fresh copy of the national database. Per
file: the time until the refusal, how far this process's peak resident memory
rose above what it held before (its high-water mark is reset first, through
/proc/self/clear_refs), the parsing worker's own peak, and the refusal.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from qualepref.access import SiteScope
from qualepref.bench import hostile_files
from qualepref.db import Database

TIME_TARGET_S = 2.0
RSS_TARGET_MB = 200.0


def _status(pid: int | str, field: str) -> float | None:
    """A memory figure of /proc/<pid>/status, in MB (None once the process is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def _reset_peak(pid: int | str) -> bool:
    """Start the high-water mark (VmHWM) again from the current resident size (Linux ≥ 4.0)."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as clear:
            clear.write("5")
        return True
    except OSError:
        return False


def run(national_db: Path, work_dir: Path, *, scale: float = 1.0, log=print) -> dict:
    from qualepref import ingest
    from qualepref.bench.datasets import national_scope
    from qualepref.ingest import worker

    work_dir.mkdir(parents=True, exist_ok=True)
    db_path = work_dir / "hostile.duckdb"
    db_path.unlink(missing_ok=True)
    shutil.copy(national_db, db_path)
    started = time.perf_counter()
    corpus = hostile_files.corpus(scale=scale)
    build_s = time.perf_counter() - started
    ingest.warm(wait=60)
    files = []
    with Database(db_path) as db:
        scope: SiteScope = national_scope(db)
        version = db.data_version()
        for name, (file_name, content) in corpus.items():
            pids = worker.idle_pids()
            for pid in ("self", *pids):
                _reset_peak(pid)
            rss_before = _status("self", "VmRSS")
            start = time.perf_counter()
            plan = ingest.analyse(content, file_name, db=db, scope=scope)
            elapsed = time.perf_counter() - start
            peak = _status("self", "VmHWM")
            worker_peaks = [p for p in (_status(pid, "VmHWM") for pid in pids) if p is not None]
            refused = not plan.ok
            message = plan.errors[0].message if plan.errors else ""
            files.append({
                "name": name, "file": file_name, "bytes": len(content), "refused": refused, "seconds": elapsed,
                "server_rss_before_mb": rss_before, "server_rss_growth_mb": (peak - rss_before)
                if peak is not None and rss_before is not None else None,
                "worker_peak_mb": max(worker_peaks) if worker_peaks else None,
                "worker_ended": any(not Path(f"/proc/{pid}").exists() for pid in pids),
                "message": message,
            })
            log(f"  {name} ({len(content) / 1e6:.2f} Mo) : {'refusé' if refused else 'ACCEPTÉ'} en "
                f"{elapsed * 1000:.0f} ms, RSS serveur +{files[-1]['server_rss_growth_mb'] or 0:.0f} Mo — "
                f"{message[:70]}")
        unchanged = db.data_version() == version
    db_path.unlink(missing_ok=True)
    measured = [f for f in files if f["server_rss_growth_mb"] is not None]
    return {
        "files": files, "build_s": build_s, "database_unchanged": unchanged,
        "refused": sum(f["refused"] for f in files), "count": len(files),
        "slowest_s": max(f["seconds"] for f in files),
        "worst_rss_growth_mb": max((f["server_rss_growth_mb"] for f in measured), default=None),
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "load": [round(x, 2) for x in os.getloadavg()],
    }
