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
    values = cur.execute("select * from v_indicator_values").df()
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
    assert sorted(survey.campaign.unique()) == ["2024", "2025", "2026"]
    respondents = survey.groupby(["site_code", "campaign"]).apply(
        lambda g: (g.n_expressed + g.n_sans_avis).max(), include_groups=False)
    assert respondents.between(10, 400).all() and respondents.max() > 150
    rate = survey.satisfaction_rate
    assert rate.between(0.70, 0.97).mean() > 0.7
    assert 8 <= survey[rate < 0.75].site_code.nunique() <= 25

    compliance = cur.execute("select * from v_compliance").df()
    per_site = compliance.groupby("site_code").module.unique()
    assert all(1 in modules and 2 <= len(modules) <= 4 for modules in per_site)
    assert compliance.result.value_counts(normalize=True)["conforme"] > 0.7


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
    assert not demo.is_empty(demo_db)
