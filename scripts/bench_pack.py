"""Time to build a COPIL pack for a demo prefecture: median of a few runs (pptx, PDF, poster).

    .venv/bin/python scripts/bench_pack.py [--site 87] [--runs 5]

Builds the demonstration data in a temporary database first (not timed).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qualepref import demo
from qualepref.access import Principal, Role
from qualepref.db import Database
from qualepref.export import pack, pack_data, pack_pdf


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", default="87")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    end = date(2026, 10, 1)
    start = date(2025, 1, 1)
    with tempfile.TemporaryDirectory() as tmp, Database(Path(tmp) / "bench.duckdb") as db:
        demo.load(db, end_month=end)
        with db.cursor() as cur:
            codes = [c for (c,) in cur.execute("select site_code from sites").fetchall()]
        scope = Principal(user="bench", role=Role.REFERENT, site_code=args.site).scope(codes)
        timings: dict[str, list[float]] = {"pptx": [], "pdf": [], "poster": []}
        sizes = {}
        for _ in range(args.runs):
            for kind, build in (("pptx", pack.build_pptx), ("pdf", pack_pdf.build_pdf),
                                ("poster", lambda d: pack_pdf.build_poster(d)[0])):
                began = time.perf_counter()
                content = build(pack_data.load_pack_data(db, scope, args.site, start, end))
                timings[kind].append(time.perf_counter() - began)
                sizes[kind] = len(content)
    for kind, values in timings.items():
        print(f"{kind:7s} median {statistics.median(values):6.2f} s  "
              f"(min {min(values):.2f}, max {max(values):.2f}, {len(values)} runs, {sizes[kind] // 1024} Kio)")


if __name__ == "__main__":
    main()
