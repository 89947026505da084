"""Rates with their counts (issue 15): « traités » and « dans le délai », long and wide layouts, bare rates."""

from __future__ import annotations

from datetime import date

import pytest

from qualepref import ingest
from qualepref.ingest import samples
from tests.conftest import national_scope

LABEL = "Courriers traités dans le délai annoncé"


def _import(db, path, **kwargs):
    plan = ingest.analyse(path.read_bytes(), path.name, db=db, scope=national_scope(db), **kwargs)
    if plan.ok:
        ingest.commit(plan, db=db, scope=national_scope(db), uploaded_by="tests")
    return plan


def _stored(db, code="COURRIERS_DANS_DELAI"):
    with db.cursor() as cur:
        return cur.execute("select site_code, period_start, value, n_total, n_within from v_indicator_values "
                           "where indicator_code = ? order by all", [code]).fetchall()


def test_the_referentiel_has_the_four_rates_measured_with_counts(db):
    with db.cursor() as cur:
        rows = cur.execute("select indicator_code, indicator_label, unit, direction, counted, target_indicative "
                           "from indicators where counted order by indicator_code").fetchall()
        view = [r[0] for r in cur.execute("describe v_indicator_values").fetchall()]
        national = cur.execute("select count(*) from v_targets where site_code is null and indicator_code in "
                               "(select indicator_code from indicators where counted)").fetchone()[0]
    assert [r[1] for r in rows] == ["Appels décrochés", "Courriels traités en moins de 5 jours ouvrés",
                                    "Courriers traités dans le délai annoncé",
                                    "Réclamations traitées en moins de 15 jours"]
    assert {(r[2], r[3], r[4], r[5]) for r in rows} == {("%", "hausse", True, True)}
    assert view == ["site_code", "indicator_code", "period_start", "period_kind", "value", "comment", "n_total",
                    "n_within"]
    assert national == 4


def test_long_layout_with_two_count_columns_and_a_bare_rate(db, tmp_path):
    path = samples.write_rows_xlsx(tmp_path / "long.xlsx", {"Feuil1": [
        ["Site", "Indicateur", "Période", "Valeur", "Traités", "Dans le délai"],
        ["87", LABEL, "2025-01", None, 200, 180],
        ["87", "COURRIERS_DANS_DELAI", "2025-02", None, 50, 49],
        ["29", LABEL, "2025-01", "85 %", None, None],  # a bare percentage is still accepted
        ["87", "Délai moyen de réponse aux courriers", "2025-01", 12, None, None],  # the mean stays beside it
    ]})
    plan = _import(db, path)
    assert plan.ok, [e.message for e in plan.errors]
    assert _stored(db) == [("29", date(2025, 1, 1), 85.0, None, None), ("87", date(2025, 1, 1), 90.0, 200, 180),
                           ("87", date(2025, 2, 1), 98.0, 50, 49)]
    assert _stored(db, "COURRIER_DELAI")[0][2:] == (12.0, None, None)
    # The same value again as a bare rate: no counts any more (they belonged to the earlier upload's value).
    path = samples.write_rows_xlsx(tmp_path / "bare.xlsx", {"Feuil1": [
        ["Site", "Indicateur", "Période", "Valeur"], ["87", LABEL, "2025-01", 91]]})
    assert _import(db, path).ok
    assert _stored(db)[1] == ("87", date(2025, 1, 1), 91.0, None, None)


def test_the_same_rate_with_other_counts_replaces_the_counts(db, tmp_path):
    """90 % of 100 corrected to 90 % of 50: the value is the same, its counts are not (nor its interval)."""
    def counted(name, n_total, n_within):
        return samples.write_rows_xlsx(tmp_path / name, {"Feuil1": [
            ["Site", "Indicateur", "Période", "Valeur", "Traités", "Dans le délai"],
            ["87", LABEL, "2025-01", None, n_total, n_within]]})

    assert _import(db, counted("a.xlsx", 100, 90)).ok
    assert _stored(db) == [("87", date(2025, 1, 1), 90.0, 100, 90)]
    plan = _import(db, counted("b.xlsx", 50, 45))
    assert plan.ok and plan.total.replaced == 1
    assert _stored(db) == [("87", date(2025, 1, 1), 90.0, 50, 45)]
    again = _import(db, counted("c.xlsx", 50, 45))  # the same counts again: nothing to write
    assert again.ok and again.changes_nothing
    assert _stored(db) == [("87", date(2025, 1, 1), 90.0, 50, 45)]


def test_long_layout_with_counts_as_rows_and_wide_layout_with_two_rows(db, tmp_path):
    path = samples.write_rows_xlsx(tmp_path / "rows.xlsx", {"Feuil1": [
        ["Site", "Indicateur", "Période", "Valeur"],
        ["87", f"{LABEL} – traités", "2025-03", 40], ["87", f"{LABEL} – dans le délai", "2025-03", 30]]})
    assert _import(db, path).ok
    path = samples.write_rows_xlsx(tmp_path / "wide.xlsx", {"Tableau de bord": [
        ["Indicateur", "janv. 2025", "févr. 2025"],
        ["Appels décrochés – traités", 1000, 800],
        ["Appels décrochés – dans le délai", 950, 700],
        ["Délai moyen de réponse aux courriers", 11, 12],
    ]})
    plan = _import(db, path, site="29")
    assert plan.ok, [e.message for e in plan.errors]
    assert _stored(db)[0] == ("87", date(2025, 3, 1), 75.0, 40, 30)
    assert _stored(db, "APPELS_DECROCHES") == [("29", date(2025, 1, 1), 95.0, 1000, 950),
                                               ("29", date(2025, 2, 1), 87.5, 800, 700)]


@pytest.mark.parametrize(("rows", "cell", "message"), [
    ([["87", LABEL, "2025-01", 100, 120]], (2, "E (Dans le délai)", "120"), "dépasse « traités »"),
    ([["87", LABEL, "2025-01", 100, None]], (2, "D (Traités)", "100"), "« Dans le délai » manquant"),
    ([["87", LABEL, "2025-01", 10.5, 3]], (2, "D (Traités)", "10.5"), "Nombre entier attendu"),
])
def test_inconsistent_counts_are_refused_with_the_cell_named(db, tmp_path, rows, cell, message):
    path = samples.write_rows_xlsx(tmp_path / "bad.xlsx", {"Feuil1": [
        ["Site", "Indicateur", "Période", "Traités", "Dans le délai"], *rows]})
    plan = _import(db, path)
    assert not plan.ok
    found = [(e.row, e.column, e.value) for e in plan.errors if message in e.message]
    assert found == [cell], [(e.row, e.column, e.value, e.message) for e in plan.errors]
    assert _stored(db) == []


def test_the_demonstration_has_the_four_rates_with_their_counts(demo_db):
    with demo_db.cursor() as cur:
        rows = cur.execute("select indicator_code, count(*), count(n_total), "
                           "max(abs(value - 100.0 * n_within / n_total)), bool_and(n_within <= n_total) "
                           "from v_indicator_values where indicator_code in (select indicator_code from indicators "
                           "where counted) group by all order by 1").fetchall()
    assert [r[0] for r in rows] == ["APPELS_DECROCHES", "COURRIELS_5_JOURS", "COURRIERS_DANS_DELAI",
                                    "RECLAMATIONS_15_JOURS"]
    assert all(n > 3000 and n == with_counts and gap < 1e-9 and ordered for _, n, with_counts, gap, ordered in rows)


def test_a_rate_with_counts_is_alerted_on_significance_with_three_levels():
    import pandas as pd

    from qualepref import alerts, targets

    rows = [{"indicator_code": "COURRIERS_DANS_DELAI", "site_code": None, "target": 90.0, "direction": "hausse",
             "strict": False, "valid_from": None, "valid_to": None, "source": "référentiel national"}]

    def window(site, n_total, n_within):
        return {"site_code": site, "site_name": site, "indicator_code": "COURRIERS_DANS_DELAI",
                "indicator_label": LABEL, "module": 1, "unit": "%", "direction": "hausse",
                "period_start": pd.Timestamp("2026-09-01"), "period_kind": "month",
                "value": 100.0 * n_within / n_total, "n_total": n_total, "n_within": n_within}

    values = pd.DataFrame([window("87", 200, 150), window("29", 100, 88), window("33", 20, 15), window("19", 50, 47)])
    table = alerts.indicator_alerts(targets.judged(values, rows)).set_index("site_code")
    assert table.level.to_dict() == {"87": "Significativement hors cible", "29": "Hors cible",
                                     "33": "Effectif insuffisant"}  # 19: 94 % meets 90 %
    assert table.loc["87", "n"] == 200 and table.loc["87", "interval"] == "68,6\u00a0% – 80,5\u00a0%"
    assert pd.isna(table.loc["33", "rank_value"])  # shown, never ranked
    assert list(alerts.alert_table(table.reset_index()).site_code) == ["87", "29", "33"]


def test_tendances_shows_a_sites_rate_with_its_n_and_wilson_interval(demo_db):
    from qualepref import sql
    from qualepref.charts import trends

    scope = national_scope(demo_db).narrowed(["87"])
    start, end = date(2026, 1, 1), date(2026, 6, 1)
    values = sql.run(demo_db, "trend_scope_values", scope=scope, indicators=["COURRIERS_DANS_DELAI"], start=start,
                     end=end)
    frame = trends.trend_frame(values, None, start=start, end=end)
    table, headers = trends.trend_table(frame)
    assert {"n_total": "Traités (n)", "low": "Borne basse IC 95 %", "high": "Borne haute IC 95 %"}.items() \
        <= headers.items()
    row = table.dropna(subset=["value"]).iloc[0]
    assert row.low < row.value < row.high and row.n_total > 0
    figure = trends.indicator_trend(frame, title=LABEL, unit="%", label="Corrèze", target=90.0, direction="hausse")
    own = next(t for t in figure.data if t.name == "Corrèze")
    assert any("IC 95 %" in c[2] and "(n = " in c[2] for c in own.customdata)  # the point's hover
    # A median of several sites has no n of its own: no such columns.
    several = sql.run(demo_db, "trend_scope_values", scope=national_scope(demo_db),
                      indicators=["COURRIERS_DANS_DELAI"], start=start, end=end)
    assert "n_total" not in trends.trend_table(trends.trend_frame(several, None, start=start, end=end))[1]
