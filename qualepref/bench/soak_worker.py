"""`python -m qualepref.bench.soak_worker DB VIEWS`: page views in one process, RSS sampled; one JSON line.

Several AppTest sessions (a référent-like one-prefecture view, a region, the
nation) take turns; each view opens a page of the pilotage set with filters
that change from view to view, as people click (so the shared caches see new
keys as well as hits). `runner.postScriptGC` stays off, as in production.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time

PAGES = ("pages/vue_ensemble.py", "pages/tendances.py", "pages/alertes.py", "pages/conformite.py",
         "pages/comparaison.py", "pages/transmissions.py")
# What each session looks at: a prefecture, a region, the whole nation.
SESSIONS = ({"pref": "87"}, {"pref": "29"}, {"region": "75"}, {}, {"pref": "13"}, {"region": "11"})
MONTHS = ("2026-06", "2026-08", "2026-10")


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main(argv: list[str]) -> int:
    db_file, views = argv[0], int(argv[1])
    os.environ["QUALEPREF_DB"] = db_file
    from streamlit import config
    from streamlit.testing.v1 import AppTest

    from qualepref.bench.session import ROOT
    from qualepref.bench.soak import SAMPLE_EVERY

    config.set_option("runner.postScriptGC", False)
    sessions = [AppTest.from_file(str(ROOT / "app.py"), default_timeout=300) for _ in SESSIONS]
    samples, errors, started = [], 0, time.perf_counter()
    start_rss = rss_mb()
    for view in range(1, views + 1):
        index = view % len(sessions)
        at = sessions[index]
        page = PAGES[(view // len(sessions)) % len(PAGES)]
        at.switch_page(page)
        at.query_params.clear()
        for key, value in SESSIONS[index].items():
            at.query_params[key] = value
        at.query_params["fin"] = MONTHS[(view // (len(sessions) * len(PAGES))) % len(MONTHS)]
        at.run()
        errors += len(at.exception)
        if view % SAMPLE_EVERY == 0:
            samples.append((view, rss_mb()))
    print(json.dumps({"views": views, "sessions": len(sessions), "seconds": time.perf_counter() - started,
                      "errors": errors, "rss_mb_start": start_rss, "samples": samples,
                      "post_script_gc": config.get_option("runner.postScriptGC"),
                      "gc_counts": gc.get_count()}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
