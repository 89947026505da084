"""The hostile-files part of the benchmark: its checks, its README table, and merging it into the last run."""

from __future__ import annotations

from qualepref.bench import __main__ as bench_main
from qualepref.bench import hostile, report


def _result(seconds=(0.01, 0.4), growth=(2.0, 150.0), refused=(True, True)):
    files = [{"name": name, "file": f"{name}.xlsx", "bytes": 730_000, "refused": r, "seconds": s,
              "server_rss_before_mb": 300.0, "server_rss_growth_mb": g, "worker_peak_mb": 180.0,
              "worker_ended": name == "b", "message": "Le classeur a été refusé par sécurité : " + "x" * 100}
             for name, s, g, r in zip("ab", seconds, growth, refused, strict=True)]
    return {"files": files, "refused": sum(refused), "count": len(files), "database_unchanged": True,
            "measured_at": "2026-12-02T09:00:00+0000", "load": [1.0, 1.0, 1.0]}


def test_the_three_checks_of_issue_11():
    refused, slowest, memory = report.hostile_checks(_result())
    assert (refused.measured, refused.target, refused.passed) == (2.0, 2.0, True)
    assert (slowest.measured, slowest.target, slowest.note, slowest.passed) == (400.0, 2000.0, "b", True)
    assert (memory.measured, memory.target, memory.passed) == (150.0, hostile.RSS_TARGET_MB, True)
    failing = report.hostile_checks(_result(seconds=(0.01, 2.5), growth=(250.0, 1.0), refused=(True, False)))
    assert [c.passed for c in failing] == [False, False, False]


def test_the_readme_table_says_each_file_and_its_refusal():
    headers, rows = report.hostile_rows(_result())
    assert headers[0] == "Fichier" and len(rows) == 2
    assert rows[1][4] == "arrêté" and rows[0][4] == "180 Mo" and rows[0][5].endswith("…")


def test_a_part_run_alone_is_merged_into_the_last_complete_run():
    imported = {"file": {"rows": 38_201}, "runs": 3, "median": {"real_s": 0.2, "naive_s": 3.0, "floor_s": 0.1},
                "speedup_vs_naive": 15.0, "ratio_to_floor": 2.0}
    previous = {"import": imported, "hostile": None, "elapsed_by_part_s": {"import": 20.0}, "checks": []}
    results = {"hostile": _result(), "elapsed_by_part_s": {"hostile": 9.0}}
    merged, checks = bench_main.merged(previous, results, ["hostile"], labels={})
    assert merged["import"] == previous["import"] and merged["hostile"] == results["hostile"]
    assert merged["merged_parts"] == ["hostile"] and merged["elapsed_by_part_s"] == {"import": 20.0, "hostile": 9.0}
    assert [c["part"] for c in merged["checks"]] == ["1. Import"] * 2 + ["6. Fichiers hostiles"] * 3
    assert len(checks) == 5
