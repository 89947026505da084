"""Where a page spends its time: `python -m qualepref.bench.profiling pages/x.py [DB] [RUNS]`.

Runs the page warm with AppTest and profiles the script thread (cProfile
hooked into every new thread, since the script does not run on the main
thread where pyinstrument samples). Prints the functions by cumulative time.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import threading
import time

from qualepref.bench.session import ROOT


def profile_page(page: str, db_file: str, runs: int = 3, top: int = 40) -> str:
    os.environ["QUALEPREF_DB"] = db_file
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page(page)
    at.run()
    at.run()
    profiles: list[cProfile.Profile] = []

    def start_profiling(frame, event, arg):
        profiler = cProfile.Profile()
        profiles.append(profiler)
        profiler.enable()

    threading.setprofile(start_profiling)
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        for _ in range(runs):
            at.run()
    finally:
        threading.setprofile(None)
        for profiler in profiles:
            profiler.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    out = io.StringIO()
    print(f"{page}: {runs} passages à chaud, {wall / runs * 1000:.0f} ms (mur) et "
          f"{cpu / runs * 1000:.0f} ms (CPU) par passage, sous profilage", file=out)
    if profiles:
        stats = pstats.Stats(profiles[0], stream=out)
        for profiler in profiles[1:]:
            stats.add(profiler)
        stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    db = args[1] if len(args) > 1 else str(ROOT / "bench" / "out" / "national.duckdb")
    print(profile_page(args[0], db, int(args[2]) if len(args) > 2 else 3))
