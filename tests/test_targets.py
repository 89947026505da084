"""Targets that belong to a site and a date (issue 15): the one resolution, boundaries, history, upgrades."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from qualepref import alerts, referentiel_edit, sql, target_edit, targets, trend_view
from qualepref.access import NATIONAL_PRINCIPAL, Principal, Role, ScopeError
from qualepref.charts.theme import ROUGE_MARIANNE
from qualepref.db import Database, apply_migrations, migration_versions
from qualepref.export import pack_data
from qualepref.target_edit import TargetChange
from tests.conftest import national_scope

NATIONAL = {"indicator_code": "COURRIER_DELAI", "site_code": None, "target": 15.0, "direction": "baisse",
            "strict": False, "valid_from": None, "valid_to": None, "source": "référentiel national",
            "indicative": False}


def _values(site: str, months_values, *, parent=None, code="COURRIER_DELAI") -> pd.DataFrame:
    return pd.DataFrame([{"site_code": site, "site_name": site, "indicator_code": code, "indicator_label": code,
                          "module": 1, "unit": "jours ouvrés", "direction": "baisse", "parent_code": parent,
                          "period_start": pd.Timestamp(month), "period_kind": "month", "value": value}
                         for month, value in months_values])


def test_the_site_target_wins_then_the_prefecture_then_the_national_default():
    rows = [NATIONAL,
            {**NATIONAL, "site_code": "87", "target": 10.0, "valid_from": date(2025, 1, 1), "source": "COPIL 87"},
            {**NATIONAL, "site_code": "87B", "target": 8.0, "valid_from": date(2025, 6, 1)}]
    assert targets.in_force(rows, "COURRIER_DELAI", "29", date(2025, 3, 1)).target == 15.0
    assert targets.in_force(rows, "COURRIER_DELAI", "87", date(2024, 12, 1)).target == 15.0
    local = targets.in_force(rows, "COURRIER_DELAI", "87", date(2025, 1, 1))
    assert (local.target, local.source, local.national) == (10.0, "COPIL 87", False)
    # A sub-prefecture without its own target takes its prefecture's, then its own once it has one.
    assert targets.in_force(rows, "COURRIER_DELAI", "87A", date(2025, 3, 1), parent_code="87").target == 10.0
    assert targets.in_force(rows, "COURRIER_DELAI", "87B", date(2025, 3, 1), parent_code="87").target == 10.0
    assert targets.in_force(rows, "COURRIER_DELAI", "87B", date(2025, 6, 1), parent_code="87").target == 8.0
    assert targets.in_force(rows, "COURRIEL_DELAI", "87", date(2025, 6, 1)) is None
    # The table version agrees with the single case, row by row.
    values = pd.concat([_values("29", [("2025-03-01", 12)]), _values("87", [("2024-12-01", 12), ("2025-01-01", 12)]),
                        _values("87A", [("2025-03-01", 12)], parent="87"),
                        _values("87B", [("2025-03-01", 12), ("2025-06-01", 12)], parent="87")])
    attached = targets.attach(values, rows)
    assert attached.target.tolist() == [15.0, 15.0, 10.0, 10.0, 10.0, 8.0]
    assert attached.target_site.fillna("national").tolist() == ["national", "national", "87", "87", "87", "87B"]


def test_strict_and_non_strict_bounds_at_the_boundary():
    """« en moins de 15 jours » (strict): 15,0 misses; « au plus 15 jours »: 15,0 meets; hausse likewise."""
    for strict, missed in ((False, False), (True, True)):
        rows = [{**NATIONAL, "strict": strict}]
        window = targets.judged(_values("87", [("2026-03-01", 15.0)]), rows)
        assert alerts.indicator_status(window).missed.tolist() == [missed]
        window = targets.judged(_values("87", [("2026-03-01", 14.99)]), rows)
        assert alerts.indicator_status(window).missed.tolist() == [False]
        window = targets.judged(_values("87", [("2026-03-01", 15.01)]), rows)
        assert alerts.indicator_status(window).missed.tolist() == [True]
    hausse = {**NATIONAL, "indicator_code": "DECROCHE", "target": 90.0, "direction": "hausse"}
    for strict, missed in ((False, False), (True, True)):
        window = targets.judged(_values("87", [("2026-03-01", 90.0)], code="DECROCHE"), [{**hausse, "strict": strict}])
        assert alerts.indicator_status(window).missed.tolist() == [missed]


def test_a_target_changed_mid_year_leaves_the_earlier_verdicts_unchanged():
    months = [(f"2026-{m:02d}-01", 12.0) for m in range(1, 13)]
    before = [NATIONAL]
    after = [{**NATIONAL, "valid_to": date(2026, 6, 30)},
             {**NATIONAL, "target": 10.0, "valid_from": date(2026, 7, 1), "source": "COPIL du 19/06/2026"}]
    for end in range(1, 7):  # every window ending before July: the same verdicts, the same alerts
        window = [(m, v) for m, v in months if int(m[5:7]) <= end]
        old = alerts.indicator_alerts(targets.judged(_values("87", window), before))
        new = alerts.indicator_alerts(targets.judged(_values("87", window), after))
        pd.testing.assert_frame_equal(old, new)
    runs = alerts.missed_runs(targets.judged(_values("87", months), after))
    assert runs.missed.tolist() == [False] * 6 + [True] * 6
    assert runs.target.tolist() == [15.0] * 6 + [10.0] * 6


def _old_rule_alerts(path, end: date) -> pd.DataFrame:
    """The alerts as main computed them before targets had dates: each indicator's one target, read from
    the référentiel (the query of main, verbatim but for the file it lived in)."""
    with Database(path, migrate=False) as database, database.cursor() as cur:
        values = cur.execute("""
            select v.site_code, s.site_name, v.indicator_code, i.indicator_label, i.module, i.unit, i.direction,
                   i.target, i.target_indicative, v.period_start, v.period_kind, v.value, v.comment,
            from v_indicator_values as v join indicators as i using (indicator_code) join sites as s using (site_code)
            where v.period_start between $start and $end and i.direction is not null and i.target is not null
            order by v.site_code, v.indicator_code, v.period_start""",
                             {"start": alerts.window_start(end), "end": end}).df()
    return alerts.indicator_alerts(values)


def _new_rule_alerts(path, end: date) -> pd.DataFrame:
    with Database(path, migrate=False) as database:
        with database.cursor() as cur:
            codes = [r[0] for r in cur.execute("select site_code from sites").fetchall()]
        scope = NATIONAL_PRINCIPAL.scope(codes)
        values = sql.run(database, "alert_indicator_values", scope=scope, start=alerts.window_start(end), end=end)
        rows = sql.run(database, "target_rows", scope=scope)
    return alerts.indicator_alerts(targets.judged(values, rows))


def test_a_round1_database_lists_the_same_alerts_before_and_after_the_targets_migration(round1_db_path):
    older = {v for v in migration_versions() if v < 80}
    with Database(round1_db_path, migrate=False) as database:
        apply_migrations(database, only=older)
    ends = [date(2024, 12, 1), date(2025, 6, 1), date(2026, 3, 1)]
    before = {end: _old_rule_alerts(round1_db_path, end) for end in ends}
    assert sum(len(t) for t in before.values()) > 100
    with Database(round1_db_path) as database, database.cursor() as cur:  # every migration, 0080 onwards included
        national = cur.execute("select count(*) from v_targets where site_code is null").fetchone()[0]
        satisfaction = cur.execute("select target, direction, strict, source from v_targets "
                                   "where indicator_code = 'SATISFACTION'").fetchall()
    assert national > 10 and satisfaction == [(75.0, "hausse", False, "référentiel national")]
    for end in ends:
        pd.testing.assert_frame_equal(_new_rule_alerts(round1_db_path, end), before[end])


@pytest.mark.parametrize("view_columns", [["indicator_code", "site_code", "target", "direction", "strict",
                                           "valid_from", "valid_to", "source"]])
def test_the_analysts_view_has_its_stable_columns(demo_db, view_columns):
    with demo_db.cursor() as cur:
        columns = [r[0] for r in cur.execute("describe v_targets").fetchall()]
        missing = cur.execute("select count(*) from v_targets where valid_from is not null and site_code is null "
                              "and indicator_code = 'COURRIER_DELAI' and valid_from > current_date").fetchone()[0]
    assert columns == view_columns and missing == 0


def _verdicts(database, site: str, end: date) -> pd.DataFrame:
    scope = national_scope(database).narrowed([site])
    values = sql.run(database, "alert_indicator_values", scope=scope, start=alerts.window_start(end), end=end)
    status = alerts.indicator_status(targets.judged(values, sql.run(database, "target_rows", scope=scope)))
    return status[["indicator_code", "period_start", "value", "target", "target_strict", "missed", "run"]]


def test_an_administrator_changes_a_target_from_a_date_and_earlier_verdicts_stay(demo_db):
    before = {end: _verdicts(demo_db, "87", end) for end in (date(2025, 6, 1), date(2025, 12, 1))}
    ind = referentiel_edit.clean_indicator(**{**_indicator(demo_db, "COURRIER_DELAI"), "target": "1"})
    referentiel_edit.save_indicator(demo_db, ind, actor="admin-test", new=False, target_from=date(2026, 1, 1))
    for end, verdicts in before.items():
        pd.testing.assert_frame_equal(_verdicts(demo_db, "87", end), verdicts)
    after = _verdicts(demo_db, "87", date(2026, 3, 1))
    assert after.set_index("indicator_code").loc["COURRIER_DELAI", "target"] == 1.0
    with demo_db.cursor() as cur:
        rows = cur.execute("select target, valid_from, valid_to from v_targets where indicator_code = "
                           "'COURRIER_DELAI' and site_code is null order by valid_from nulls first").fetchall()
        logged = cur.execute("select count(*) from audit_log where entity = 'indicateur' and key = 'COURRIER_DELAI'"
                             ).fetchone()[0]
    assert rows == [(15.0, None, date(2025, 12, 31)), (1.0, date(2026, 1, 1), None)] and logged == 1


def test_a_referent_proposes_a_local_target_in_force_once_an_administrator_approves(demo_db):
    scope = national_scope(demo_db)
    referent = Principal("ref87@interieur.gouv.fr", Role.REFERENT, site_code="87")
    change = target_edit.TargetChange("COURRIER_DELAI", "87", 10.0, "baisse", True, date(2026, 1, 1),
                                      source="Décision du COPIL du 15/12/2025")
    with pytest.raises(ScopeError):  # another prefecture's target
        target_edit.propose(demo_db, TargetChange(**{**change.__dict__, "site_code": "29"}),
                            scope=referent.scope(scope.site_codes), actor=referent)
    with pytest.raises(ScopeError):  # discovery: read only
        target_edit.propose(demo_db, change, scope=referent.scope(scope.site_codes),
                            actor=Principal("d", Role.REFERENT, site_code="87", demo=True))
    with pytest.raises(target_edit.TargetError, match="source"):
        target_edit.propose(demo_db, TargetChange(**{**change.__dict__, "source": " "}),
                            scope=referent.scope(scope.site_codes), actor=referent)
    proposal = target_edit.propose(demo_db, change, scope=referent.scope(scope.site_codes), actor=referent)
    rows = sql.run(demo_db, "target_rows", scope=scope)
    assert targets.in_force(rows, "COURRIER_DELAI", "87", date(2026, 2, 1)).target == 15.0  # not yet
    with pytest.raises(ScopeError):  # a référent does not approve, even his own proposal
        target_edit.decide(demo_db, proposal, approve=True, actor=referent)
    target_edit.decide(demo_db, proposal, approve=True, actor="admin-test")
    rows = sql.run(demo_db, "target_rows", scope=scope)
    mine = targets.in_force(rows, "COURRIER_DELAI", "87", date(2026, 2, 1))
    assert (mine.target, mine.strict, mine.source) == (10.0, True, "Décision du COPIL du 15/12/2025")
    assert targets.in_force(rows, "COURRIER_DELAI", "87", date(2025, 12, 1)).target == 15.0
    assert targets.in_force(rows, "COURRIER_DELAI", "29", date(2026, 2, 1)).target == 15.0
    with pytest.raises(target_edit.TargetError):  # decided once
        target_edit.decide(demo_db, proposal, approve=False, actor="admin-test", note="trop tard")
    local = sql.run(demo_db, "target_local_rows", scope=referent.scope(scope.site_codes))
    assert local[["site_code", "status", "proposed_by", "decided_by"]].values.tolist() == [
        ["87", "approved", "ref87@interieur.gouv.fr", "admin-test"]]
    with demo_db.cursor() as cur:
        actions = [r[0] for r in cur.execute("select action from audit_log where entity = 'cible' order by 1"
                                             ).fetchall()]
    assert actions == ["approbation de cible", "proposition de cible"]


def test_a_rejected_proposal_needs_a_reason_and_never_comes_into_force(demo_db):
    scope = national_scope(demo_db)
    change = target_edit.TargetChange("COURRIEL_DELAI", "87", 3.0, "baisse", False, date(2026, 1, 1),
                                      source="Charte locale")
    proposal = target_edit.propose(demo_db, change, scope=scope, actor="ref-test")
    with pytest.raises(target_edit.TargetError, match="motif"):
        target_edit.decide(demo_db, proposal, approve=False, actor="admin-test")
    target_edit.decide(demo_db, proposal, approve=False, actor="admin-test", note="Délai non voté en COPIL")
    rows = sql.run(demo_db, "target_rows", scope=scope)
    assert targets.in_force(rows, "COURRIEL_DELAI", "87", date(2026, 2, 1)).target == 5.0


def _indicator(database, code: str) -> dict:
    with database.cursor() as cur:
        frame = cur.execute(sql.query_text("referentiel_indicators")).df()
    row = frame[frame.indicator_code == code].iloc[0].to_dict()
    return {k: (None if pd.isna(v) else v) for k, v in row.items()}


def test_the_trend_line_of_a_site_steps_where_its_target_changed(demo_db):
    scope = national_scope(demo_db).narrowed(["87"])
    code, start, end = "COURRIER_DELAI", date(2025, 7, 1), date(2026, 3, 1)
    indicators = sql.run(demo_db, "referentiel_indicators", scope=scope)
    indicators = indicators[indicators.indicator_code == code]
    values = sql.run(demo_db, "trend_scope_values", scope=scope, indicators=[code], start=start, end=end)
    national = values.iloc[:0].assign(q1=[], median=[], q3=[])
    line = trend_view.ScopeLabel("Haute-Vienne (87)", "", "87", False)

    def target_trace(rows, site):
        chart = trend_view.indicator_charts(indicators, values, national, line=line, start=start, end=end,
                                            target_rows=rows, site_code=site)[0]
        return next(t for t in chart.figure.data if t.line.color == ROUGE_MARIANNE)

    rows = sql.run(demo_db, "target_rows", scope=scope)
    flat = target_trace(rows, "87")
    assert list(flat.y) == [15.0, 15.0] and flat.line.shape is None  # unchanged: one straight line, as before
    target_edit.set_target(demo_db, TargetChange(code, "87", 10.0, "baisse", True, date(2026, 1, 1),
                                                 source="COPIL du 15/12/2025"), actor="admin-test")
    rows = sql.run(demo_db, "target_rows", scope=scope)
    step = target_trace(rows, "87")
    assert step.line.shape == "hv" and list(step.y) == [15.0] * 6 + [10.0] * 3
    assert list(target_trace(rows, None).y) == [15.0, 15.0]  # the national line keeps the national target


def test_the_pack_and_the_poster_show_the_target_in_force_and_its_source(demo_db):
    scope = national_scope(demo_db)
    code = "COURRIER_DELAI"
    target_edit.set_target(demo_db, TargetChange(code, "87", 10.0, "baisse", True, date(2026, 7, 1),
                                                 source="COPIL du 19/06/2026"), actor="admin-test")
    data = pack_data.load_pack_data(demo_db, scope, "87", date(2026, 1, 1), date(2026, 10, 1))
    figures = pack_data.key_figures(data).set_index("Indicateur")
    label = pack_data.indicator_series(data, code).label
    assert figures.loc[label, "Cible"] == "< 10\u00a0j (COPIL du 19/06/2026)"
    assert figures.loc["Délai moyen de réponse aux courriels", "Cible"] == "≤ 5\u00a0j (référentiel national)"
    series = pack_data.indicator_series(data, code)
    assert series.target_values == [15.0] * 6 + [10.0] * 4  # the chart's target steps in July
    poster = {item["code"]: item for item in pack_data.poster_figures(data)}
    assert (poster[code]["target"], poster[code]["source"]) == ("< 10\u00a0j", "COPIL du 19/06/2026")
    # Another prefecture's pack keeps the national target.
    other = pack_data.key_figures(pack_data.load_pack_data(demo_db, scope, "29", date(2026, 1, 1), date(2026, 10, 1)))
    assert other.set_index("Indicateur").loc[label, "Cible"] == "≤ 15\u00a0j (référentiel national)"


def test_comparaison_judges_each_prefecture_on_its_own_target_in_force():
    """87 announced « en moins de 10 jours » from July: 12 days meets the national 15 but not 87's own 10."""
    rows = [NATIONAL, {**NATIONAL, "site_code": "87", "target": 10.0, "strict": True, "valid_from": date(2026, 7, 1)}]
    latest = pd.DataFrame({"site_code": ["29", "87", "87", "33", "2A"], "indicator_code": "COURRIER_DELAI",
                           "value": [12.0, 12.0, 12.0, 10.0, None],
                           "period_start": pd.to_datetime(["2026-09-01", "2026-09-01", "2026-06-01", "2026-09-01",
                                                           "2026-09-01"])})
    assert targets.meets(latest, rows).tolist() == [True, False, True, True, pd.NA]


def test_a_sites_own_satisfaction_threshold_judges_its_surveys_from_its_date():
    """Haute-Vienne's rule « sous 80 % » from 2025: 78 % of 400 answers is an alert there in 2025, not in 2024,
    and not in another prefecture (75 %); the table says which threshold and where it comes from."""
    rows = [{**NATIONAL, "indicator_code": "SATISFACTION", "target": 75.0, "direction": "hausse"},
            {**NATIONAL, "indicator_code": "SATISFACTION", "site_code": "87", "target": 80.0, "direction": "hausse",
             "valid_from": date(2025, 1, 1), "source": "Politique qualité de la Haute-Vienne"}]
    survey = pd.DataFrame([{"site_code": site, "site_name": site, "campaign": campaign, "question_code": "GLOBAL",
                            "question_label": "Globalement ?", "module": 1, "n_tres_satisfait": 100,
                            "n_satisfait": 212, "n_peu_satisfait": 60, "n_pas_du_tout_satisfait": 28,
                            "n_sans_avis": 0, "n_expressed": 400}
                           for site, campaign in (("87", "2024"), ("87", "2025"), ("29", "2025"))])
    table = alerts.survey_alerts(survey, rows)
    assert table[["site_code", "period", "level", "reference"]].values.tolist() == [
        ["87", "Campagne 2025", alerts.LEVEL_BELOW, "Seuil : 80\u00a0% (Politique qualité de la Haute-Vienne)"]]
    assert alerts.survey_alerts(survey).empty  # without the targets: 75 % everywhere, as before


def test_the_demonstration_has_a_local_target_and_a_proposal_removed_with_it(demo_db):
    from qualepref import demo

    scope = national_scope(demo_db)
    local = sql.run(demo_db, "target_local_rows", scope=scope)
    assert sorted(map(tuple, local[["site_code", "indicator_code", "status"]].values.tolist())) == [
        ("19", "COURRIER_DELAI", "approved"), ("23", "COURRIEL_DELAI", "proposed")]
    rows = sql.run(demo_db, "target_rows", scope=scope)
    year = int(local.valid_from.max().year)
    assert targets.in_force(rows, "COURRIER_DELAI", "19", date(year, 1, 1)).strict
    assert targets.in_force(rows, "COURRIER_DELAI", "19", date(year - 1, 12, 1)).national
    demo.remove(demo_db, actor="tests")
    assert sql.run(demo_db, "target_local_rows", scope=scope).empty
    assert not sql.run(demo_db, "target_rows", scope=scope).empty  # the national targets stay
