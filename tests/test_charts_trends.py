"""Trend figure builders: gaps stay gaps, targets and national context drawn, French labels."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from qualepref import stats
from qualepref.charts import trends


def _values(pairs):
    return pd.DataFrame({"period_start": pd.to_datetime([p for p, _ in pairs]), "value": [v for _, v in pairs]})


def _by_name(fig):
    return {t.name: t for t in fig.data}


# Jan–Jun 2025 with March missing.
MONTHLY = _values([("2025-01-01", 4.0), ("2025-02-01", 5.0), ("2025-04-01", 7.0),
                   ("2025-05-01", 8.0), ("2025-06-01", 9.0)])
NATIONAL = pd.DataFrame({
    "period_start": pd.date_range("2025-01-01", periods=6, freq="MS"),
    "q1": [3.0, 3.5, 4.0, 4.5, 5.0, 5.5], "median": [5.0, 5.5, 6.0, 6.5, 7.0, 7.5],
    "q3": [7.0, 7.5, 8.0, 8.5, 9.0, 9.5],
})


def test_period_range_keeps_only_periods_starting_inside():
    months = trends.period_range(date(2025, 1, 1), date(2025, 6, 1))
    assert len(months) == 6 and months[0] == pd.Timestamp("2025-01-01")
    # A quarter starting before the period's first day is not in it (the queries select by start).
    quarters = trends.period_range(date(2024, 11, 1), date(2025, 10, 1), "quarter")
    assert list(quarters.strftime("%Y-%m")) == ["2025-01", "2025-04", "2025-07", "2025-10"]


def test_trend_frame_reindexes_missing_months_as_gaps_not_zeros():
    frame = trends.trend_frame(MONTHLY, NATIONAL, start=date(2025, 1, 1), end=date(2025, 7, 1))
    assert len(frame) == 7  # Jan–Jul, every month present
    by_month = frame.set_index(frame.period_start.dt.strftime("%Y-%m"))
    assert np.isnan(by_month.loc["2025-03", "value"]) and np.isnan(by_month.loc["2025-07", "value"])
    assert by_month.loc["2025-04", "value"] == 7.0
    assert by_month.loc["2025-03", "national_median"] == 6.0  # national context where the site is missing
    assert np.isnan(by_month.loc["2025-07", "national_median"])


def test_moving_average_needs_three_reported_months():
    frame = trends.trend_frame(MONTHLY, None, start=date(2025, 1, 1), end=date(2025, 6, 1))
    ma = dict(zip(frame.period_start.dt.month, frame.moving_average, strict=True))
    # Jan, Feb: not enough history; Mar–May: a window holding March (missing) has no average.
    assert all(np.isnan(ma[m]) for m in (1, 2, 3, 4, 5))
    assert ma[6] == pytest.approx((7 + 8 + 9) / 3)
    full = trends.trend_frame(_values([(f"2025-0{m}-01", float(m)) for m in range(1, 5)]), None,
                              start=date(2025, 1, 1), end=date(2025, 4, 1))
    assert list(full.moving_average.round(6))[2:] == [2.0, 3.0]


def test_indicator_trend_draws_gaps_target_and_national_band():
    frame = trends.trend_frame(MONTHLY, NATIONAL, start=date(2025, 1, 1), end=date(2025, 6, 1))
    fig = trends.indicator_trend(frame, title="Délai moyen de réponse aux courriels", unit="jours ouvrés",
                                 label="Haute-Vienne (87)", target=5, direction="baisse", moving_average=True)
    traces = _by_name(fig)
    line = traces["Haute-Vienne (87)"]
    assert line.connectgaps is False
    assert list(line.y) == [4.0, 5.0, None, 7.0, 8.0, 9.0]  # March is a gap, not a zero
    target = traces["Cible : ≤ 5\u00a0j"]
    assert set(target.y) == {5.0}
    assert target.x[0] == pd.Timestamp("2025-01-01") and target.x[-1] == pd.Timestamp("2025-06-01")
    assert list(traces["Médiane nationale"].y) == [5.0, 5.5, 6.0, 6.5, 7.0, 7.5]
    band = traces["Écart interquartile national"]
    # One closed shape: the upper quartiles forward, the lower ones back.
    assert band.fill == "toself"
    assert list(band.y) == [7.0, 7.5, 8.0, 8.5, 9.0, 9.5, 5.5, 5.0, 4.5, 4.0, 3.5, 3.0, None]
    ma = traces["Moyenne mobile 3 mois"]
    assert ma.y[-1] == pytest.approx(8.0) and ma.y[2] is None
    # French: tick labels, hover texts, axis title with the direction.
    assert fig.layout.xaxis.ticktext[0] == "janv. 2025"
    assert ("févr. 2025", "5,0\u00a0j", "") in [tuple(c) for c in line.customdata]  # no comment: nothing added
    assert "plus bas = mieux" in fig.layout.yaxis.title.text
    assert fig.layout.separators == ", "


def test_national_band_is_split_at_months_without_national_figures():
    national = NATIONAL[NATIONAL.period_start != pd.Timestamp("2025-03-01")]
    frame = trends.trend_frame(MONTHLY, national, start=date(2025, 1, 1), end=date(2025, 6, 1))
    fig = trends.indicator_trend(frame, title="t", unit="jours", label="x")
    band = _by_name(fig)["Écart interquartile national"]
    # Jan–Feb and Apr–Jun are two shapes; nothing is drawn across March.
    assert list(band.y) == [7.0, 7.5, 3.5, 3.0, None, 8.5, 9.0, 9.5, 5.5, 5.0, 4.5, None]
    assert pd.Timestamp("2025-03-01") not in list(band.x)
    assert list(_by_name(fig)["Médiane nationale"].y)[2] is None


def test_indicator_trend_without_national_or_average_or_target():
    frame = trends.trend_frame(MONTHLY, None, start=date(2025, 1, 1), end=date(2025, 6, 1))
    fig = trends.indicator_trend(frame, title="Réclamations reçues", unit="nombre", label="Médiane nationale",
                                 national_median=False)
    assert [t.name for t in fig.data] == ["Médiane nationale"]
    with_national = trends.trend_frame(MONTHLY, NATIONAL, start=date(2025, 1, 1), end=date(2025, 6, 1))
    national_line = trends.indicator_trend(with_national, title="t", unit="nombre", label="Médiane nationale",
                                           national_median=False)
    # The scope's line already is the national median: only the band is added.
    assert [t.name for t in national_line.data].count("Médiane nationale") == 1


def test_meeting_mode_enlarges_fonts():
    frame = trends.trend_frame(MONTHLY, None, start=date(2025, 1, 1), end=date(2025, 6, 1))
    normal = trends.indicator_trend(frame, title="t", unit="%", label="x")
    meeting = trends.indicator_trend(frame, title="t", unit="%", label="x", meeting_mode=True)
    assert meeting.layout.font.size > normal.layout.font.size


def test_quarterly_series_has_quarter_gaps_and_labels():
    values = _values([("2025-01-01", 90.0), ("2025-07-01", 95.0)])
    frame = trends.trend_frame(values, None, start=date(2025, 1, 1), end=date(2025, 10, 1), period_kind="quarter")
    fig = trends.indicator_trend(frame, title="t", unit="%", label="x", target=100, direction="hausse",
                                 period_kind="quarter", moving_average=True)
    assert list(fig.data[0].y) == [90.0, None, 95.0, None]
    assert "Moyenne mobile 3 mois" not in _by_name(fig)  # a 3-month average of quarters means nothing
    assert list(fig.layout.xaxis.ticktext) == ["T1 2025", "T2 2025", "T3 2025", "T4 2025"]
    assert trends.period_kind_of(pd.Series(["quarter", "quarter", "month"])) == "quarter"
    assert trends.period_kind_of(pd.Series([], dtype=object), "trimestrielle") == "quarter"


def test_trend_table_headers_follow_the_options():
    frame = trends.trend_frame(MONTHLY, NATIONAL, start=date(2025, 1, 1), end=date(2025, 6, 1))
    table, headers = trends.trend_table(frame)
    assert "moving_average" not in table and headers["national_median"] == "Médiane nationale"
    assert table.period.iloc[0] == "janv. 2025" and np.isnan(table.value.iloc[2])
    table, headers = trends.trend_table(frame, moving_average=True)
    assert headers["moving_average"] == "Moyenne mobile 3 mois"
    table, _ = trends.trend_table(frame, national_median=False)  # the line itself is the national median
    assert "national_median" not in table and "national_q1" in table


def test_year_over_year_one_line_per_year_over_january_to_december():
    values = _values([("2024-11-01", 10.0), ("2024-12-01", 11.0), ("2025-01-01", 12.0), ("2025-03-01", 13.0)])
    frame = trends.trend_frame(values, None, start=date(2024, 1, 1), end=date(2025, 3, 1))
    fig = trends.year_over_year(frame, title="t", unit="jours", target=10, direction="baisse")
    traces = _by_name(fig)
    assert [t.name for t in fig.data] == ["2024", "2025", "Cible : ≤ 10\u00a0j"]
    assert list(traces["2024"].x) == list(range(1, 13))
    assert traces["2024"].y[10:] == (10.0, 11.0) and traces["2024"].y[0] is None
    assert list(traces["2025"].y[:3]) == [12.0, None, 13.0] and traces["2025"].y[3] is None
    assert list(fig.layout.xaxis.ticktext) == trends.MONTHS_FR
    assert traces["2025"].line.color == "#000091"  # the latest year in bleu France
    table = trends.year_over_year_table(frame)
    assert list(table.columns) == ["Mois", "2024", "2025"] and table.Mois.iloc[0] == "janv."


def _survey(rows):
    frame = pd.DataFrame(rows, columns=["campaign", "question_code", "question_label", "n_tres_satisfait",
                                        "n_satisfait", "n_peu_satisfait", "n_pas_du_tout_satisfait"])
    frame["n_expressed"] = frame[["n_tres_satisfait", "n_satisfait", "n_peu_satisfait",
                                  "n_pas_du_tout_satisfait"]].sum(axis=1)
    return stats.with_satisfaction(frame)


def test_satisfaction_by_question_has_wilson_bars_and_the_75_line():
    rated = _survey([
        ("2024", "ACCUEIL", "L'accueil a-t-il été courtois ?", 30, 30, 30, 10),  # 60 / 100
        ("2025", "ACCUEIL", "L'accueil a-t-il été courtois ?", 50, 40, 8, 2),  # 90 / 100
        ("2025", "ATTENTE", "Attente raisonnable ?", 10, 5, 4, 1),  # 15 / 20: a small sample
    ])
    fig = trends.satisfaction_by_question(rated, title="Satisfaction par question")
    traces = _by_name(fig)
    assert list(traces) == ["Campagne 2024", "Campagne 2025"]
    bar_2024 = traces["Campagne 2024"]
    assert bar_2024.orientation == "h" and bar_2024.x[0] == pytest.approx(60.0)
    # 60 successes out of 100: Wilson 95 % interval 50,2 % – 69,1 %.
    assert bar_2024.x[0] + bar_2024.error_x.array[0] == pytest.approx(69.06, abs=0.01)
    assert bar_2024.x[0] - bar_2024.error_x.arrayminus[0] == pytest.approx(50.20, abs=0.01)
    assert bar_2024.x[1] is None  # the question was not asked in 2024
    assert list(traces["Campagne 2025"].marker.pattern.shape) == ["", "/"]  # n = 20 < 30: hatched
    assert [s.x0 for s in fig.layout.shapes] == [75.0]
    assert "60,0\u00a0%" in bar_2024.customdata[0] and "100 avis exprimés" in bar_2024.customdata[0]
    table, headers = trends.satisfaction_table(rated)
    assert table.rate.tolist() == [60.0, 90.0, 75.0] and headers["n_expressed"] == "Avis exprimés"
