"""The benchmark's pure helpers on tiny inputs (the timings themselves are not tested)."""

import os
import time
from datetime import date

import numpy as np
import pandas as pd
import pytest

from qualepref import sql
from qualepref.bench import concurrency, datasets, imports, queries, report, soak
from qualepref.bench.measure import Check, check_rows, markdown_table, median, percentile, text_table
from qualepref.config import QUERIES_DIR
from qualepref.db import Database

END = date(2026, 10, 1)


@pytest.mark.parametrize("values", [[3.0], [5.0, 1.0], [0.4, 2.0, 9.5, 1.1, 7.0], list(range(1, 21))])
def test_median_and_percentiles_agree_with_numpy(values):
    assert median(values) == pytest.approx(float(np.median(values)))
    for q in (50, 95, 0, 100):
        assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)))
    assert median([]) is None and percentile([], 95) is None


def test_checks_pass_on_the_right_side_of_their_target():
    faster = Check("1", "accélération", 6.0, 5.0, "×", "min")
    slower = Check("1", "accélération", 4.0, 5.0, "×", "min")
    within = Check("2", "page", 200.0, 250.0, "ms")
    over = Check("2", "page", 300.0, 250.0, "ms")
    missing = Check("2", "page", None, 250.0, "ms")
    assert (faster.passed, slower.passed, within.passed, over.passed, missing.passed) == (
        True, False, True, False, None)
    assert over.ratio == pytest.approx(1.2) and missing.ratio is None
    rows = check_rows([faster, over, missing])
    assert [r[-1] for r in rows] == ["OK", "MANQUÉ", "non mesuré"]
    assert rows[1][2] == "≤ 250 ms" and rows[1][3] == "300 ms" and rows[0][2] == "≥ 5,00 ×"
    table = text_table(["a", "b"], [["1", "long value"]]).splitlines()
    assert len(table) == 3 and len({len(line.rstrip()) for line in table[1:]}) == 1
    assert markdown_table(["a", "b"], [["x|y", "2"]]).splitlines()[2] == "| x\\|y | 2 |"


def test_tiny_data_set_through_the_real_write_path(tmp_path):
    spec = datasets.DataSetSpec("mini", 2, 3, "2 sites × 3 mois")
    written = datasets.build(tmp_path / "mini.duckdb", spec, end_month=END)
    with Database(tmp_path / "mini.duckdb", read_only=True) as db, db.cursor() as cur:
        values = cur.execute("select site_code, period_start, period_kind from indicator_values").df()
        n_survey = cur.execute("select count(*) from survey_results").fetchone()[0]
        n_uploads = cur.execute("select count(*) from uploads").fetchone()[0]
    assert written["indicator_values"] == len(values) > 0
    assert values.site_code.nunique() == 2
    months = values[values.period_kind == "month"].period_start
    assert months.nunique() == 3 and months.max() == pd.Timestamp(END)
    assert n_survey == written["survey_results"] > 0 and n_uploads == 3


def test_synthetic_sites_borrow_real_regions():
    real = pd.DataFrame({"site_code": ["01", "02"], "site_name": ["Ain", "Aisne"], "region_code": ["84", "32"],
                         "prefecture_city": ["Bourg", "Laon"], "zone": ["metro", "metro"],
                         "lon": [5.2, 3.6], "lat": [46.2, 49.6], "active": [True, True]})
    extra = datasets.synthetic_sites(real, 3)
    assert extra.site_code.tolist() == ["X0001", "X0002", "X0003"]
    assert extra.region_code.tolist() == ["84", "32", "84"]
    assert extra.columns.tolist() == real.columns.tolist()


def test_ten_times_the_sites_adds_synthetic_sites(tmp_path):
    spec = datasets.DataSetSpec("plus", 103, 1, "103 sites × 1 mois")
    datasets.build(tmp_path / "plus.duckdb", spec, end_month=END)
    with Database(tmp_path / "plus.duckdb", read_only=True) as db, db.cursor() as cur:
        n_sites = cur.execute("select count(*) from sites where active").fetchone()[0]
        with_data = {r[0] for r in cur.execute("select distinct site_code from survey_results").fetchall()}
    assert n_sites == 103
    assert {"X0001", "X0002"} <= with_data and len(with_data) == 103


def test_long_layout_periods():
    stored = pd.DataFrame({"site_code": ["87", "87"], "indicator_code": ["A", "B"],
                           "period_start": pd.to_datetime(["2025-01-01", "2025-07-01"]),
                           "period_kind": ["month", "quarter"], "value": [4.5, 12.0]})
    frame = imports.long_frame(stored)
    assert frame.columns.tolist() == list(imports.LONG_HEADERS)
    assert frame["Période"].tolist() == ["2025-01", "T3 2025"]
    assert imports.period_label(pd.Timestamp("2024-01-01"), "year") == "2024"


def test_every_query_file_is_classified_as_read_or_write():
    for path in QUERIES_DIR.glob("*.sql"):
        text = path.read_text(encoding="utf-8")
        body = text.lower()
        kind = queries.statement_kind(text)
        assert kind in ("read", "write")
        if path.stem.startswith(("insert_", "delete_", "seed_")):
            assert kind == "write", path.stem
        if path.stem in ("site_codes", "sites", "data_version"):
            assert kind == "read", path.stem
        assert kind == "read" or any(w in body for w in ("insert", "update", "delete", "create", "staging_"))


def test_parameters_are_guessed_from_the_data():
    facts = queries.Facts(first_month=date(2024, 1, 1), last_month=date(2026, 10, 1),
                          campaigns=["2024", "2025", "2026"], indicator="APPELS_PERDUS",
                          indicators=["APPELS_PERDUS", "COURRIER_DELAI"], question="ACCUEIL",
                          site="87", sites=["87", "01"])
    assert queries.candidates("start", "", facts) == [date(2025, 11, 1)]
    assert queries.candidates("end", "", facts) == [date(2026, 10, 1)]
    assert queries.candidates("last_campaign", "", facts)[0] == "2026"
    assert queries.candidates("mode", "when $mode = 'moyenne' then", facts) == ["moyenne"]
    assert queries.candidates("mystery", "", facts) == []
    # Every parameter of every read is either guessed or reported as unknown, never silently invented.
    for path in QUERIES_DIR.glob("*.sql"):
        text = sql.query_text(path.stem)
        if queries.statement_kind(text) == "read":
            combos, unknown = queries._bind_params(path.stem, facts)
            assert combos and set(combos[0]) == sql.parameters_of(path.stem) - {"sites"} - sql.CONSTANTS.keys()
            assert all(combos[0][p] is None for p in unknown)


def test_readme_section_is_replaced_in_place():
    first = report.replace_section("# Titre\n\nTexte.\n", "Tableau 1\n")
    assert first.count("## Performances") == 1 and "Tableau 1" in first
    second = report.replace_section(first, "Tableau 2\n")
    assert "Tableau 1" not in second and "Tableau 2" in second and second.count(report.README_START) == 1
    assert second.startswith("# Titre\n\nTexte.\n")


def test_capacity_from_cpu_per_view():
    # 100 ms per view, a page every 30 s: 1/300 of a core per user; 70 % of one core → 210 users.
    assert concurrency.users_carried(100, cores=1, think_time_s=30, utilisation=0.7) == 210
    assert concurrency.users_carried(100, cores=2, think_time_s=30) == 2 * 210
    assert concurrency.users_carried(0, cores=2) == 0


def test_process_cpu_and_memory_from_proc():
    before = concurrency.cpu_seconds(os.getpid())
    end = time.process_time() + 0.2
    while time.process_time() < end:
        pass
    assert concurrency.cpu_seconds(os.getpid()) - before >= 0.1
    assert concurrency.rss_mb(os.getpid()) > 10


def test_script_finished_message_is_recognised():
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    finished = ForwardMsg()
    finished.script_finished = ForwardMsg.FINISHED_SUCCESSFULLY
    other = ForwardMsg()
    other.delta.new_element.markdown.body = "texte"
    assert concurrency._script_finished(finished.SerializeToString())
    assert not concurrency._script_finished(other.SerializeToString())
    assert not concurrency._script_finished("texte")


def test_soak_growth_is_the_slope_after_warm_up_and_checked_against_its_target():
    flat = [(v, 300.0 + (50.0 if v <= 400 else 0.0)) for v in range(100, 2100, 100)]
    assert soak.growth_per_thousand(flat) == 0.0
    leaking = [(v, 300.0 + v * 0.1) for v in range(100, 2100, 100)]  # 0,1 Mo per view
    assert round(soak.growth_per_thousand(leaking), 6) == 100.0
    assert soak.growth_per_thousand(leaking[:3]) is None  # nothing after the warm-up
    result = {"views": 2000, "errors": 0, "rss_mb_after_warm_up": 350.0, "rss_mb_end": 352.0, "rss_mb_max": 360.0,
              "post_script_gc": False, "growth_mb_per_1000_views": 1.5}
    growth, errors = report.soak_checks(result)
    assert growth.passed and errors.passed and "postScriptGC=False" in growth.note
    assert not report.soak_checks(result | {"growth_mb_per_1000_views": 100.0})[0].passed


def _level(label, sessions, spread, p95, errors=0, cpu=80.0):
    return {"label": label, "sessions": sessions, "start_spread_s": spread, "views": 10 * sessions,
            "errors": errors, "p50_ms": p95 / 3, "p95_ms": p95, "first_view_p95_ms": p95, "cpu_ms_per_view": cpu,
            "server_cpu_share": 0.5, "rss_mb_max": 400.0}


def test_protocol_capacity_is_the_largest_level_within_one_second_without_error():
    from qualepref.bench.__main__ import protocol_capacity

    result = {"think_s": 10.0, "levels": [_level("15", 15, 20, 300), _level("50", 50, 20, 800),
                                          _level("100", 100, 20, 4000), _level("50 d'un coup", 50, 0, 5000)]}
    capacity = protocol_capacity(result)
    assert capacity["sessions_p95_under_1s"] == 50 and capacity["first_level_over"] == 100
    assert "un seul processus" in capacity["text"] and "second processus" in capacity["text"]
    result["levels"][1]["errors"] = 1  # an error disqualifies the level whatever its p95
    assert protocol_capacity(result)["sessions_p95_under_1s"] == 15
    checks = report.protocol_checks(result)
    assert [c.passed for c in checks] == [False, True, True]


def test_protocol_client_against_a_real_server(demo_db_path, tmp_path):
    """Two sessions speak Streamlit's protocol to a real `streamlit run`: pages run, finish, are timed."""
    from qualepref.bench import protocol_load

    async def from_a_running_loop():  # as in the test session, where Playwright's sync API runs one
        return protocol_load.run(demo_db_path, tmp_path, levels=(("2 d'un coup", 2, 0.0),), seconds=4.0, log=str)

    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    # A thread of its own for that loop: in the whole suite this thread may already run Playwright's.
    with ThreadPoolExecutor(1) as pool:
        result = pool.submit(asyncio.run, from_a_running_loop()).result()
    assert len(result["pages"]) > 5  # the navigation the first run sent
    assert not result.get("failures")
    [level] = result["levels"]
    assert level["views"] >= 2 and level["p50_ms"] is not None and level["p50_ms"] > 0
    assert level["cpu_ms_per_view"] > 0
    # Views that fail say why (an exception shown by the page, a timeout): never a silent success.
    assert all(": " in example for example in level["error_examples"])
