import pandas as pd
import pandas.testing as pdt

from qualepref import demo, sql
from tests.conftest import DEMO_END_MONTH, national_scope


def _generate(db, seed):
    scope = national_scope(db)
    return demo.generate(
        scope.site_codes,
        sql.run(db, "referentiel_indicators", scope=scope),
        sql.run(db, "referentiel_questions", scope=scope),
        sql.run(db, "referentiel_engagements", scope=scope),
        seed=seed, end_month=DEMO_END_MONTH,
    )


def test_same_seed_gives_identical_data(db):
    first, second = _generate(db, 7), _generate(db, 7)
    for name in ("indicator_values", "survey_results", "compliance"):
        pdt.assert_frame_equal(getattr(first, name), getattr(second, name))
    other = _generate(db, 8)
    assert not first.survey_results.equals(other.survey_results)


def test_demo_data_is_national_and_realistic(demo_db):
    cur = demo_db.cursor()
    prefectures = {r[0] for r in cur.execute("select site_code from v_sites where site_kind = 'prefecture'").fetchall()}
    assert len(prefectures) == 101
    values = cur.execute("select * from v_indicator_values").df()
    values = values[values.site_code.isin(prefectures)]  # a handful of sub-prefectures report too (below)
    assert values.site_code.nunique() == 101
    monthly = values[values.period_kind == "month"]
    assert monthly.period_start.nunique() == 36
    assert (values[values.period_kind == "quarter"].period_start.dt.month.isin([1, 4, 7, 10])).all()
    lost = values[values.indicator_code == "APPELS_PERDUS"].value
    assert lost.between(2, 15).mean() > 0.85
    email = values[values.indicator_code == "COURRIEL_DELAI"].value
    assert email.between(1, 9).mean() > 0.9
    # A few months are missing (gaps), never stored as 0.
    expected = 101 * 36
    assert expected * 0.95 < values[values.indicator_code == "APPELS_PERDUS"].shape[0] < expected

    survey = cur.execute("select * from v_survey_results").df()
    survey = survey[survey.site_code.isin(prefectures)]
    assert sorted(survey.campaign.unique()) == ["2024", "2025", "2026"]
    respondents = survey.groupby(["site_code", "campaign"]).apply(
        lambda g: (g.n_expressed + g.n_sans_avis).max(), include_groups=False)
    assert respondents.between(10, 400).all() and respondents.max() > 150
    rate = survey.satisfaction_rate
    assert rate.between(0.70, 0.97).mean() > 0.7
    assert 8 <= survey[rate < 0.75].site_code.nunique() <= 25

    compliance = cur.execute("select * from v_compliance").df()
    compliance = compliance[compliance.site_code.isin(prefectures)]
    per_site = compliance.groupby("site_code").module.unique()
    assert all(1 in modules and 2 <= len(modules) <= 4 for modules in per_site)
    assert compliance.result.value_counts(normalize=True)["conforme"] > 0.7


def test_demo_label_history_is_national_and_believable(demo_db):
    from datetime import date

    from qualepref import labellisation

    cur = demo_db.cursor()
    sites = cur.execute("select site_code, site_name, site_kind, parent_code from v_sites").df()
    subs = sites[sites.site_kind == "sous_prefecture"]
    assert 5 <= len(subs) <= 12 and set(subs.parent_code) <= set(sites.site_code)
    assert subs.site_code.isin(cur.execute("select site_code from v_indicator_values").df().site_code).all()
    events = cur.execute("select * from label_events").df()
    today = date(2026, 11, 1)  # the month after DEMO_END_MONTH
    status = labellisation.statuses(sites, events, today)
    pref = status[status.site_kind == "prefecture"].status.value_counts()
    assert pref.get("labellise", 0) >= 85  # most prefectures labelled
    assert 1 <= pref.get("suivi_en_retard", 0) <= 12  # some follow-up audits overdue
    assert 1 <= sum(pref.get(s, 0) for s in ("en_preparation", "audit_interne_fait", "audit_externe_programme")) <= 8
    assert (status[status.site_kind == "sous_prefecture"].status != "non_engage").all()
    # The cycle in the press kit's order, for every labelled prefecture: internal audit 1–3 months before the
    # first external audit, decision after the audit, a follow-up audit about every year.
    for code, group in events[events.site_code.isin(sites.site_code[sites.site_kind == "prefecture"])].groupby(
            "site_code"):
        external = group[group.event_kind == "audit_externe"].event_date.min()
        if pd.isna(external):  # still preparing
            continue
        internal = group[(group.event_kind == "audit_interne") & (group.event_date < external)].event_date.max()
        assert 25 <= (external - internal).days <= 100, code
    # The périmètre matches the figures: every module assessed is retained.
    assert cur.execute("""select count(*) from (select site_code, module from compliance_assessments
                          except select site_code, module from v_site_modules)""").fetchone()[0] == 0
    findings = cur.execute("select finding_kind, count(*), count(closed_on) from audit_findings group by 1").fetchall()
    assert {k for k, _, _ in findings} == {"point_fort", "non_conformite", "piste_amelioration"}


def test_demo_rows_are_flagged_and_removable_without_touching_real_rows(demo_db):
    scope = national_scope(demo_db)
    from qualepref import store

    real = pd.DataFrame({
        "site_code": ["87"], "indicator_code": ["COURRIEL_DELAI"],
        "period_start": pd.to_datetime(["2020-01-01"]), "period_kind": ["month"],
        "value": [2.5], "comment": [None],
    })
    with demo_db.transaction() as cur:
        store.write(cur, "indicator_values", real, scope=scope, upload_id=store.next_upload_id(cur))
    assert demo.has_demo_data(demo_db)
    demo.remove(demo_db, actor="tests")
    assert not demo.has_demo_data(demo_db)
    rows = demo_db.cursor().execute("select site_code, value from v_indicator_values").fetchall()
    assert rows == [("87", 2.5)]
    cur = demo_db.cursor()
    # The demonstration's label history and sub-prefectures go with it.
    for table in ("label_events", "audit_findings", "site_module_decisions"):
        assert cur.execute(f"select count(*) from {table}").fetchone()[0] == 0, table
    assert cur.execute("select count(*) from sites where site_kind = 'sous_prefecture'").fetchone()[0] == 0
    assert cur.execute("select count(*) from v_sites").fetchone()[0] == 101
    assert not demo.is_empty(demo_db)
