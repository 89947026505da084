"""One page, one data set, in a fresh process: the cold run, then warm runs.

`python -m qualepref.bench.page_worker DB PAGE WARM_RUNS` prints one JSON line.
Run by `qualepref.bench.pages`, one process per page per data set, so the
first run really is cold (imports, caches, the database connection).
"""

from __future__ import annotations

import json
import os
import sys
import time

# Seconds of warm runs per page after which three runs are enough.
WARM_BUDGET_S = 2.5


def main(argv: list[str]) -> int:
    db_file, page, warm_runs = argv[0], argv[1], int(argv[2])
    os.environ["QUALEPREF_DB"] = db_file
    started = time.perf_counter()
    from streamlit.testing.v1 import AppTest

    from qualepref.bench.session import ROOT, as_bench_principal

    imported = time.perf_counter()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    as_bench_principal(at)
    # Switching before the first run works for pages registered under their file name.
    at.switch_page(page)
    start = time.perf_counter()
    at.run()
    cold = time.perf_counter() - start
    errors = [str(e.value)[:300] for e in at.exception]
    title = at.title[0].value if at.title else None
    warm, warm_cpu = [], []
    for _ in range(warm_runs):
        start, cpu = time.perf_counter(), time.process_time()
        at.run()
        warm.append(time.perf_counter() - start)
        # CPU of the whole process (script thread and DuckDB's threads): barely moved by other load.
        warm_cpu.append(time.process_time() - cpu)
        errors += [str(e.value)[:300] for e in at.exception]
        if len(warm) >= 3 and sum(warm) > WARM_BUDGET_S:
            break  # a slow page: three runs give the median, the budget goes to the others
    print(json.dumps({"page": page, "import_s": imported - started, "cold_s": cold, "warm_s": warm,
                      "warm_cpu_s": warm_cpu, "title": title, "errors": sorted(set(errors))}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
