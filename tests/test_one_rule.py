"""One rule per figure: the Alertes table, Vue d'ensemble and the COPIL pack agree on the same data."""

from __future__ import annotations

from datetime import date

import pandas as pd

from qualepref import alerts, overview
from qualepref.export import pack_data

END = date(2026, 3, 1)


def _window(values: list[tuple[str, float | None]], *, target=15.0, strict=None) -> pd.DataFrame:
    """Rows of alert_indicator_values for site 87, COURRIER_DELAI (monthly); None = month not sent."""
    rows = [{"site_code": "87", "site_name": "Haute-Vienne", "indicator_code": "COURRIER_DELAI",
             "indicator_label": "Délai moyen de réponse aux courriers", "module": 1, "engagement": 17,
             "unit": "jours ouvrés", "direction": "baisse", "target": target, "frequency": "mensuelle",
             "period_start": pd.Timestamp(month), "period_kind": "month", "value": value}
            for month, value in values if value is not None]
    frame = pd.DataFrame(rows)
    return frame if strict is None else frame.assign(target_strict=strict)


def _pack(window: pd.DataFrame) -> pack_data.PackData:
    return pack_data.PackData(
        site_code="87", site_name="Haute-Vienne", region_name="Nouvelle-Aquitaine", start=date(2025, 10, 1),
        end=END, built_on=END, data_as_of=END, is_demo=False, values=window.drop(columns=["site_code", "site_name"]),
        survey=pd.DataFrame(), compliance=pd.DataFrame(columns=["module", "engagement", "engagement_label",
                                                                "assessed_on", "assessment_type", "result"]),
        window_values=window)


def test_a_month_without_data_breaks_a_run_on_every_page_and_in_the_pack():
    """Miss in January, nothing in February, miss in March: one miss, not two in a row. On the old main
    the pack said "2 périodes consécutives hors cible" while Alertes said "Hors cible"."""
    window = _window([("2026-01-01", 18.0), ("2026-02-01", None), ("2026-03-01", 17.0)])
    table = alerts.indicator_alerts(window)
    assert table.level.tolist() == [alerts.LEVEL_MISS] and table.misses_in_a_row.tolist() == [1]
    pack_alerts = pack_data.indicator_alerts(_pack(window))
    assert pack_alerts.Tendance.tolist() == ["Première période hors cible"]
    assert pack_data.key_figures(_pack(window)).Situation.tolist() == ["Cible manquée"]

    # Two adjacent misses: a trend, everywhere.
    window = _window([("2026-01-01", 12.0), ("2026-02-01", 18.0), ("2026-03-01", 17.0)])
    assert alerts.indicator_alerts(window).level.tolist() == [alerts.LEVEL_TREND]
    assert pack_data.indicator_alerts(_pack(window)).Tendance.tolist() == ["2 périodes consécutives hors cible"]


def test_indicators_on_target_is_one_count_on_the_overview_and_in_the_pack():
    window = _window([("2025-12-01", 12.0), ("2026-01-01", 18.0), ("2026-03-01", 14.0)])
    summary = overview.target_summary(alerts.indicator_status(window))
    assert (summary.n_meeting, summary.n_with_target) == (1, 1)
    assert pack_data.headline(_pack(window))["Indicateurs à la cible"] == "1 / 1"


def test_the_rule_takes_each_rows_target_and_strictness():
    """Later, targets come per site and per date: the rule only reads each row's own target."""
    window = _window([("2026-01-01", 15.0), ("2026-02-01", 15.0), ("2026-03-01", 15.0)])
    assert alerts.indicator_alerts(window).empty  # "au plus 15 jours": 15,0 meets
    strict = _window([("2026-01-01", 15.0), ("2026-02-01", 15.0), ("2026-03-01", 15.0)], strict=True)
    table = alerts.indicator_alerts(strict)  # "en moins de 15 jours": 15,0 misses
    assert table.misses_in_a_row.tolist() == [3]
    own = _window([("2026-01-01", 15.0), ("2026-02-01", 15.0), ("2026-03-01", 15.0)])
    own["target"] = [20.0, 10.0, 10.0]  # a dated target: tightened in February
    assert alerts.indicator_alerts(own).misses_in_a_row.tolist() == [2]
