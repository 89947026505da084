"""Alert table, key figures of the overview, and the trend / alert queries on real DuckDB files."""

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from qualepref import alerts, overview, satisfaction, sql, stats, targets, transmissions, trend_view
from tests.conftest import DEMO_END_MONTH, national_scope


def _narrowed(scope, codes):
    # `narrowed` is how scopes shrink once scope minting is locked down in qualepref.access.
    if hasattr(scope, "narrowed"):
        return scope.narrowed(codes)
    return replace(scope, site_codes=frozenset(codes))


def _survey_rows(rows):
    """rows: (site, campaign, question, satisfied, expressed)."""
    frame = pd.DataFrame(rows, columns=["site_code", "campaign", "question_code", "satisfied", "n_expressed"])
    return frame.assign(
        site_name="Préfecture " + frame.site_code, question_label="Question " + frame.question_code, module=1,
        n_tres_satisfait=frame.satisfied // 2, n_satisfait=frame.satisfied - frame.satisfied // 2,
        n_peu_satisfait=frame.n_expressed - frame.satisfied, n_pas_du_tout_satisfait=0,
    ).drop(columns="satisfied")


def _indicator_rows(rows, *, direction="baisse", target=15.0, kind="month", unit="jours ouvrés"):
    """rows: (site, indicator, period, value)."""
    frame = pd.DataFrame(rows, columns=["site_code", "indicator_code", "period_start", "value"])
    return frame.assign(site_name="Préfecture " + frame.site_code, indicator_label="Indicateur " + frame.indicator_code,
                        module=1, unit=unit, direction=direction, target=target, period_kind=kind,
                        period_start=pd.to_datetime(frame.period_start))


def test_survey_alerts_have_the_three_levels_and_skip_rates_at_or_above_75():
    table = alerts.survey_alerts(_survey_rows([
        ("01", "2025", "A", 60, 100),  # 60 %, Wilson upper 69,1 % < 75 %: significant
        ("02", "2025", "A", 140, 200),  # 70 %, upper ≈ 76 %: below, not significant
        ("03", "2025", "A", 10, 20),  # 50 % on 20 answers: insufficient sample
        ("04", "2025", "A", 90, 100),  # 90 %: no alert
        ("05", "2025", "A", 75, 100),  # exactly 75 %: no alert
    ]))
    levels = dict(zip(table.site_code, table.level, strict=True))
    assert levels == {"01": "Significativement sous 75 %", "02": "Sous 75 %", "03": "Effectif insuffisant"}
    row = table[table.site_code == "01"].iloc[0]
    assert row.value == "60,0\u00a0%" and row.n == 100 and row.interval == "50,2\u00a0% – 69,1\u00a0%"
    assert row.link == "tendances?pref=01&module=1&vue=satisfaction"


def test_indicator_alerts_flag_two_consecutive_misses_and_let_gaps_break_runs():
    values = _indicator_rows([
        ("01", "COURRIER", "2026-08-01", 12.0), ("01", "COURRIER", "2026-09-01", 16.0),
        ("01", "COURRIER", "2026-10-01", 17.0),  # two misses in a row: a trend
        ("02", "COURRIER", "2026-08-01", 16.0), ("02", "COURRIER", "2026-10-01", 18.0),  # September missing
        ("03", "COURRIER", "2026-09-01", 20.0), ("03", "COURRIER", "2026-10-01", 14.0),  # met again: resolved
        ("04", "COURRIER", "2026-10-01", 15.0),  # exactly on target: met
        ("05", "COURRIER", "2026-07-01", 16.0), ("05", "COURRIER", "2026-08-01", 16.5),
        ("05", "COURRIER", "2026-09-01", 17.0), ("05", "COURRIER", "2026-10-01", 17.5),
    ])
    table = alerts.indicator_alerts(values).set_index("site_code")
    assert sorted(table.index) == ["01", "02", "05"]
    assert table.loc["01", "level"] == "Hors cible (tendance)" and table.loc["01", "misses_in_a_row"] == 2
    assert table.loc["02", "level"] == "Hors cible" and table.loc["02", "misses_in_a_row"] == 1
    assert table.loc["05", "misses_in_a_row"] == 4
    assert table.loc["01", "value"] == "17,0\u00a0j" and table.loc["01", "reference"] == "Cible : ≤ 15\u00a0j"
    assert table.loc["01", "period"] == "oct. 2026"
    assert table.loc["01", "link"] == "tendances?pref=01&module=1&indicateur=COURRIER"


def test_indicator_alerts_for_higher_is_better_and_quarters():
    values = _indicator_rows([
        ("01", "SITE", "2026-04-01", 95.0), ("01", "SITE", "2026-07-01", 90.0),  # consecutive quarters
        ("02", "SITE", "2026-01-01", 80.0), ("02", "SITE", "2026-07-01", 85.0),  # a quarter missing
        ("03", "SITE", "2026-07-01", 100.0),
    ], direction="hausse", target=100.0, kind="quarter", unit="%")
    table = alerts.indicator_alerts(values).set_index("site_code")
    assert sorted(table.index) == ["01", "02"]
    assert table.loc["01", "misses_in_a_row"] == 2 and table.loc["02", "misses_in_a_row"] == 1
    assert table.loc["01", "period"] == "T3 2026"


def test_alert_table_sorts_by_severity_and_never_ranks_small_samples():
    survey = alerts.survey_alerts(_survey_rows([
        ("09", "2025", "A", 5, 20),  # 25 % on 20 answers: insufficient (lowest rate, still listed last)
        ("02", "2025", "A", 12, 25),  # 48 % on 25 answers: insufficient
        ("03", "2025", "A", 140, 200),  # below
        ("04", "2025", "A", 60, 100),  # significant (upper 69,1 %)
        ("05", "2025", "A", 30, 100),  # significant (upper 39,6 %): more certainly low, first
    ]))
    indicators = alerts.indicator_alerts(_indicator_rows([
        ("06", "C", "2026-09-01", 16.0), ("06", "C", "2026-10-01", 16.0),  # trend, small excess
        ("07", "C", "2026-09-01", 30.0), ("07", "C", "2026-10-01", 30.0),  # trend, large excess
        ("08", "C", "2026-10-01", 40.0),  # single miss
    ]))
    table = alerts.alert_table(survey, indicators)
    assert list(table.site_code) == ["05", "04", "07", "06", "03", "08", "02", "09"]
    assert list(table.level) == ["Significativement sous 75 %"] * 2 + ["Hors cible (tendance)"] * 2 + [
        "Sous 75 %", "Hors cible", "Effectif insuffisant", "Effectif insuffisant"]
    counts = alerts.count_by_level(table)
    assert list(counts) == list(alerts.LEVELS) and counts["Effectif insuffisant"] == 2
    assert alerts.count_by_level(table.iloc[:0]) == dict.fromkeys(alerts.LEVELS, 0)
    only = alerts.filter_table(table, levels=["Hors cible"], kinds=[alerts.INDICATOR])
    assert list(only.site_code) == ["08"]
    readable, headers = alerts.export_frame(table)
    assert "link" not in readable and headers["level"] == "Niveau"


def test_alert_window_is_the_last_six_months():
    assert alerts.window_start(date(2026, 10, 1)) == date(2026, 5, 1)
    assert alerts.window_start(date(2026, 2, 1)) == date(2025, 9, 1)


def test_last_complete_period_is_the_latest_month_most_sites_are_up_to_date():
    rows = []
    for month, up in (("2026-08-01", 100), ("2026-09-01", 80), ("2026-10-01", 79)):
        for i in range(100):
            rows.append({"site_code": f"{i:03d}", "site_name": "x", "period_start": month, "n_expected": 2,
                         "n_sent": 2 if i < up else 1, "missing": "" if i < up else "A"})
    status = transmissions.status(pd.DataFrame(rows))
    assert transmissions.last_complete(status, 0.8) == pd.Timestamp(2026, 9, 1)  # 80 % is enough, 79 % not
    assert transmissions.last_complete(status, 1.01) is None
    assert transmissions.last_complete(status.iloc[:0], 0.8) is None


def test_target_summary_and_global_satisfaction():
    values = _indicator_rows([("01", "C", "2026-10-01", 10.0), ("02", "C", "2026-10-01", 15.0),
                              ("03", "C", "2026-10-01", 16.0)])
    summary = overview.target_summary(alerts.indicator_status(values))
    assert (summary.n_meeting, summary.n_with_target) == (2, 3)
    assert summary.share == pytest.approx(200 / 3)
    by_question = pd.DataFrame({
        "campaign": ["2025", "2026", "2026"], "question_code": ["GLOBAL", "GLOBAL", "ACCUEIL"],
        "question_label": ["Globalement ?", "Globalement ?", "Accueil ?"],
        "n_tres_satisfait": [10, 30, 50], "n_satisfait": [10, 30, 40], "n_expressed": [40, 100, 100],
    })
    headline = satisfaction.global_rate(by_question)
    assert (headline.campaign, headline.n, headline.rate) == ("2026", 100, 0.6)
    assert (round(headline.low, 4), round(headline.high, 4)) == (0.502, 0.6906)
    assert headline.level == stats.AlertLevel.SIGNIFICANT
    # Without the overall question there is no "satisfaction globale" (never the pooled questions).
    assert satisfaction.global_rate(by_question[by_question.question_code != "GLOBAL"]) is None
    assert satisfaction.global_rate(by_question, "2025").n == 40


def test_scope_label_names_the_line():
    sites = pd.DataFrame({"site_code": ["87", "19"], "site_name": ["Haute-Vienne", "Corrèze"],
                          "region_code": ["75", "75"], "region_name": ["Nouvelle-Aquitaine"] * 2})
    assert trend_view.scope_label(sites.iloc[:1], whole_nation=False).name == "Haute-Vienne (87)"
    assert trend_view.scope_label(sites, whole_nation=False).name == "Médiane Nouvelle-Aquitaine"
    assert trend_view.scope_label(sites, whole_nation=True).is_nation


# --- the queries, on the national demonstration data -------------------------------------------

def test_alert_queries_stay_inside_the_scope(demo_db):
    scope = _narrowed(national_scope(demo_db), {"87"})
    values = targets.judged(sql.run(demo_db, "alert_indicator_values", scope=scope, start=date(2026, 5, 1),
                                    end=DEMO_END_MONTH), sql.run(demo_db, "target_rows", scope=scope))
    survey = sql.run(demo_db, "alert_survey_results", scope=scope, first_year=2024, last_year=2026)
    assert set(values.site_code) == {"87"} and set(survey.site_code) == {"87"}
    assert values.target.notna().all() and values.period_start.min() >= pd.Timestamp("2026-05-01")
    table = alerts.alert_table(alerts.survey_alerts(survey), alerts.indicator_alerts(values))
    assert set(table.site_code) <= {"87"}


def test_national_quartiles_name_no_site_and_count_the_callers_sites(demo_db):
    local = _narrowed(national_scope(demo_db), {"87"})
    params = {"indicators": ["COURRIER_DELAI"], "start": date(2026, 1, 1), "end": DEMO_END_MONTH}
    national = sql.run(demo_db, "trend_national_quartiles", scope=local, **params)
    assert "site_code" not in national.columns and len(national) == 10
    with demo_db.cursor() as cur:
        expected = cur.execute(
            "select median(value), count(*) from v_indicator_values join sites using (site_code) "
            "where indicator_code = 'COURRIER_DELAI' and period_start = ? and site_kind = 'prefecture'",
            [DEMO_END_MONTH]).fetchone()  # prefectures only: sub-prefectures are not compared with them
    last = national[national.period_start == pd.Timestamp(DEMO_END_MONTH)].iloc[0]
    assert (last["median"], last.n_sites) == pytest.approx(expected)
    assert (national.q1 <= national["median"]).all() and (national["median"] <= national.q3).all()
    # n_own: whether 87 is among the sites behind each figure (what the anonymity rule subtracts).
    with demo_db.cursor() as cur:
        sent = {pd.Timestamp(r[0]) for r in cur.execute(
            "select period_start from v_indicator_values where site_code = '87' "
            "and indicator_code = 'COURRIER_DELAI' and period_start >= '2026-01-01'").fetchall()}
    assert dict(zip(national.period_start, national.n_own, strict=True)) == {
        p: int(p in sent) for p in national.period_start}
    assert 0 < len(sent) < len(national)  # 87 missed a month: both cases are checked


def test_scope_values_are_the_site_values_or_the_median(demo_db):
    params = {"indicators": ["COURRIER_DELAI"], "start": date(2026, 1, 1), "end": DEMO_END_MONTH}
    own = sql.run(demo_db, "trend_scope_values", scope=_narrowed(national_scope(demo_db), {"87"}), **params)
    with demo_db.cursor() as cur:
        raw = cur.execute("select period_start, value from v_indicator_values where site_code = '87' "
                          "and indicator_code = 'COURRIER_DELAI' and period_start >= '2026-01-01' "
                          "order by period_start").df()
    assert own.value.tolist() == raw.value.tolist() and (own.n_sites == 1).all()
    pair = sql.run(demo_db, "trend_scope_values", scope=_narrowed(national_scope(demo_db), {"87", "19"}), **params)
    assert pair.n_sites.max() == 2


def test_overview_queries_on_demo_data(demo_db):
    scope = national_scope(demo_db)
    grid = sql.run(demo_db, "transmission_grid", scope=scope,
                   **transmissions.query_params(date(2025, 11, 1), DEMO_END_MONTH))
    status = transmissions.status(grid)
    month = transmissions.last_complete(status, overview.COMPLETE_SHARE)
    assert month is not None and month.date() <= DEMO_END_MONTH
    up = status.assign(up=status.status == transmissions.SENT).groupby("period_start").up.mean()
    assert up[month] >= 0.8 and all(up[m] < 0.8 for m in up.index if m > month)
    compliance = overview.compliance_rates(sql.run(demo_db, "compliance_module_counts", scope=scope,
                                                          as_of=date(2100, 1, 1)))
    assert 1 in set(compliance.module) and compliance.rate.between(0, 100).all()
    module_1 = compliance.set_index("module").loc[1]
    with demo_db.cursor() as cur:
        assessed, prefectures_assessed, prefectures = cur.execute(
            "select count(distinct site_code), count(distinct site_code) filter (where site_kind = 'prefecture'), "
            "(select count(*) from sites where active and site_kind = 'prefecture') "
            "from compliance_assessments join sites using (site_code) where module = 1").fetchone()
    # Every site assessed counts, sub-prefectures included; every prefecture is among them.
    assert module_1.n_sites == assessed > prefectures_assessed == prefectures
    assert module_1.n_conforme + module_1.n_partiel + module_1.n_non_conforme == module_1.n_applicable
