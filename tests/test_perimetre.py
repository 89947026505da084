"""The périmètre decides what a site is expected to send and what the compliance heatmap shows
as *non retenu* or *non évalué* (real DuckDB file, constructed data)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from qualepref import labelling_store, sql, store, transmissions
from tests.conftest import national_scope

MODULE_1_MONTHLY = 13  # indicateurs.csv: module 1 has 13 monthly indicators (and one quarterly) since issue 15
MODULE_2_MONTHLY = 3


def _values(site: str, codes: list[str], months: list[str]) -> pd.DataFrame:
    return pd.DataFrame([{"site_code": site, "indicator_code": c, "period_start": pd.Timestamp(m),
                          "period_kind": "month", "value": 5.0, "comment": None} for c in codes for m in months])


def _decisions(db, scope, *rows):
    frame = pd.DataFrame([{"site_code": s, "module": m, "decided_on": pd.Timestamp(d), "retained": r,
                           "decision": f"COPIL du {d}"} for s, m, d, r in rows])
    with db.transaction() as cur:
        labelling_store.write(cur, "site_modules", frame, scope=scope, upload_id=None)


def _grid(db, scope, start, end) -> pd.DataFrame:
    rows = sql.run(db, "transmission_grid", scope=scope.narrowed(["87"]),
                   **transmissions.query_params(date.fromisoformat(start), date.fromisoformat(end)))
    return transmissions.status(rows).set_index("period_start")


def test_expected_indicators_follow_the_modules_retained_month_by_month(db):
    scope = national_scope(db)
    with db.cursor() as cur:
        module_1 = [r[0] for r in cur.execute("select indicator_code from indicators where module = 1 "
                                              "and frequency = 'mensuelle' order by 1").fetchall()]
    months = ["2025-03-01", "2025-04-01", "2025-05-01", "2025-06-01", "2025-07-01"]
    with db.transaction() as cur:
        store.write(cur, "indicator_values", _values("87", module_1, months), scope=scope, upload_id=1)
    # Module 1 retained from April; module 2 retained in June and dropped in July.
    _decisions(db, scope, ("87", 1, "2025-04-01", True), ("87", 2, "2025-06-01", True),
               ("87", 2, "2025-07-01", False))
    grid = _grid(db, scope, "2025-03-01", "2025-07-01")
    by_month = {d.strftime("%Y-%m"): (e, s, st) for d, e, s, st in zip(grid.index, grid.n_expected, grid.n_sent,
                                                                        grid.status, strict=True)}
    assert by_month == {
        "2025-03": (MODULE_1_MONTHLY, MODULE_1_MONTHLY, "transmis"),  # before any périmètre: what it sends
        "2025-04": (MODULE_1_MONTHLY, MODULE_1_MONTHLY, "transmis"),
        "2025-05": (MODULE_1_MONTHLY, MODULE_1_MONTHLY, "transmis"),
        "2025-06": (MODULE_1_MONTHLY + MODULE_2_MONTHLY, MODULE_1_MONTHLY, "partiel"),  # module 2 now expected
        "2025-07": (MODULE_1_MONTHLY, MODULE_1_MONTHLY, "transmis"),  # dropped again
    }
    june = grid.loc[pd.Timestamp("2025-06-01")]
    assert "délivrance" in june.missing.lower() or "cni" in june.missing.lower() or "passeport" in june.missing.lower()


def test_the_heatmap_tells_a_retained_module_not_assessed_from_one_not_retained():
    from qualepref import charts, perimetre

    counts = pd.DataFrame({"module": [1, 4], "module_name": ["Relation", "Collectivités"], "site_code": ["87", "87"],
                           "site_name": ["Haute-Vienne"] * 2, "n_non_conforme": [1, 0], "n_partiel": [0, 0],
                           "n_conforme": [9, 4], "n_non_applicable": [0, 0]})
    rates = charts.module_rates(counts)
    # 87 retained modules 1 and 7; 29 has no périmètre recorded (old reading).
    retained = pd.DataFrame({"site_code": ["87", "87"], "site_name": ["Haute-Vienne"] * 2, "module": [1, 7]})
    modules = pd.DataFrame({"module": [1, 4, 7], "module_name": ["Relation", "Collectivités", "Urgence"]})
    cells = perimetre.with_states(rates, retained, modules)
    assert dict(zip(cells.module, cells.state, strict=True)) == {1: "evalue", 4: "hors_perimetre", 7: "non_evalue"}
    assert cells.loc[cells.module == 7, "rate"].isna().all()
    fig = charts.module_site_heatmap(cells, title="t")
    marks = [t for t in fig.data if t.name == "Non évalué"]
    assert len(marks) == 1 and list(marks[0].text) == ["?"] and "non évalué" in marks[0].customdata[0]
    hover = {str(h) for t in fig.data[:1] for row in t.customdata for h in row}
    assert any("module non retenu" in h for h in hover)  # module 4 assessed though not retained
    # Without any périmètre, nothing changes: a blank cell is « Module non suivi ».
    assert perimetre.with_states(rates, retained.iloc[0:0], modules) is rates
