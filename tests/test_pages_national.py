"""Conformité, Comparaison nationale, Suivi des transmissions: real AppTest runs and scope checks of their queries."""

import json
import re
from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from qualepref import geo, sql, stats, transmissions, vocab
from qualepref import overview as overview_
from qualepref.access import NATIONAL_PRINCIPAL, Principal, Role
from qualepref.export import pack_data
from tests.conftest import DEMO_END_MONTH, N_SITES, ROOT

START = date(DEMO_END_MONTH.year - 1, DEMO_END_MONTH.month, 1)
# Every query of the three pages, with parameters that return data on the demonstration set.
PAGE_QUERIES = {
    "compliance_latest": {"as_of": date(2026, 10, 31)},
    "compliance_module_counts": {"as_of": date(2026, 10, 31)},
    "compliance_assessments": {"start": START, "as_of": date(2026, 10, 31)},
    "national_indicator_by_site": {"indicator": "COURRIER_DELAI", "start": START, "end": DEMO_END_MONTH},
    "national_indicator_summary": {"indicator": "COURRIER_DELAI", "start": START, "end": DEMO_END_MONTH,
                                   "mode": "moyenne"},
    "national_campaigns": {},
    "national_satisfaction_by_site": {"campaign": "2026", "question": ""},
    "national_satisfaction_summary": {"campaign": "2026", "question": "ATTENTE", "min_sample": stats.MIN_SAMPLE},
    "transmission_grid": transmissions.query_params(START, DEMO_END_MONTH),
    "transmission_campaigns": {"start_year": "2024", "end_year": "2026"},
}



@pytest.fixture(scope="module")
def names():
    frame = pd.read_csv(ROOT / "data/geo/departements_prefectures.csv", dtype=str)
    return dict(zip(frame.code_departement, frame.nom_departement, strict=True))


@pytest.mark.parametrize("name", sorted(PAGE_QUERIES))
def test_one_site_scope_never_receives_another_site(demo_db, names, name):
    scope = Principal("copil@87", Role.COPIL, "87").scope(names)
    frame = sql.run(demo_db, name, scope=scope, **PAGE_QUERIES[name])
    assert len(frame), f"{name} returned nothing: the check would prove nothing"
    others = {c for c in names if c != "87"}
    other_names = {n for c, n in names.items() if c != "87"} - {names["87"]}
    for column in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[column]) or column.startswith("region_"):
            continue  # engagement numbers, counts and region codes (75 = Nouvelle-Aquitaine) are not site codes
        cells = {str(v) for v in frame[column].dropna()}
        assert not cells & others, f"{name}.{column} leaks another site's code"
        assert not cells & other_names, f"{name}.{column} leaks another site's name"


def test_aggregate_summaries_give_national_quartiles_and_own_rank_only(demo_db, names):
    scope = Principal("copil@87", Role.COPIL, "87").scope(names)
    params = PAGE_QUERIES["national_indicator_summary"]
    summary = sql.run(demo_db, "national_indicator_summary", scope=scope, **params)
    assert len(summary) == 1 and "site_code" not in summary.columns
    # The same figures computed from the national, named data.
    national = sql.run(demo_db, "national_indicator_by_site", scope=NATIONAL_PRINCIPAL.scope(names),
                       **{k: v for k, v in params.items() if k != "mode"})
    values = national.set_index("site_code").mean_value.dropna()
    row = summary.iloc[0]
    assert row.n_sites == len(values)
    assert row["median"] == pytest.approx(values.median())
    assert row.own_value == pytest.approx(values["87"])
    assert row.own_rank == (values < values["87"]).sum() + 1  # lower is better for a delay
    satisfaction = sql.run(demo_db, "national_satisfaction_summary", scope=scope,
                           **PAGE_QUERIES["national_satisfaction_summary"]).iloc[0]
    by_site = sql.run(demo_db, "national_satisfaction_by_site", scope=NATIONAL_PRINCIPAL.scope(names),
                      campaign="2026", question="ATTENTE")
    eligible = by_site[by_site.n_expressed >= stats.MIN_SAMPLE]
    assert satisfaction.n_sites == len(eligible) < len(by_site) + 1
    rates = eligible.n_satisfied / eligible.n_expressed
    assert satisfaction["median"] == pytest.approx(rates.median())


# AppTest -------------------------------------------------------------------------------------------

@pytest.fixture
def app(demo_db_path, monkeypatch):
    monkeypatch.setenv("QUALEPREF_DB", str(demo_db_path))
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def _open(app, page, **filters):
    """Open a page, then set sidebar filters (by their URL key) as a user would."""
    at = app.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    for key, value in filters.items():
        at.sidebar.selectbox(key=key).set_value(value).run()
        assert not at.exception, at.exception
    return at


def _page_as(page, principal):
    """Run one page on its own as a signed-in principal (the sign-in itself is tested elsewhere)."""
    at = AppTest.from_file(str(ROOT / page), default_timeout=60)
    at.session_state["principal"] = principal
    return at


def _number(text: str) -> float:
    """A number as the page writes it in French (`1 234,5`, `82,5 %`)."""
    return float(re.sub(r"[\s\u202f\u00a0%j]", "", text).replace(",", "."))


def _main_text(at) -> str:
    parts = [m.value for m in at.main.markdown] + [m.value for m in at.main.caption]
    parts += [f"{m.label} {m.value} {m.help or ''}" for m in at.main.metric]
    parts += [s.value for s in at.main.subheader] + [w.value for w in at.main.warning] + [
        i.value for i in at.main.info]
    for frame in at.main.dataframe:
        parts.append(frame.value.to_csv())
    return "\n".join(map(str, parts))


def test_conformite_national_heatmap_and_cell_details(app):
    at = _open(app, "pages/conformite.py")
    assert at.selectbox(key="conf_module").options[0].startswith("M1")
    assert len(at.selectbox(key="conf_site").options) == N_SITES  # module 1 is mandatory for everybody
    behind = at.main.dataframe[-1].value
    assert len(behind) == 20 and set(behind["Résultat"]) <= {"Conforme", "Partiellement conforme", "Non conforme",
                                                              "Non applicable"}
    at.selectbox(key="conf_module").set_value(7).run()
    assert not at.exception
    assert len(at.selectbox(key="conf_site").options) < N_SITES and len(at.main.dataframe[-1].value) == 4
    # A region narrows the prefectures; a module filter keeps only that module.
    at.sidebar.selectbox(key="region").set_value("75").run()
    assert len(at.selectbox(key="conf_site").options) <= 12
    at.sidebar.selectbox(key="module").set_value(1).run()
    assert at.selectbox(key="conf_module").options == ["M1 – Relation générale avec les usagers"]


def test_conformite_one_prefecture_shows_engagements_by_assessment(app):
    at = _open(app, "pages/conformite.py", pref="87")
    assert any(m.label == "Module 1" for m in at.main.metric)
    engagements = at.selectbox(key="conf_engagement")
    assert len(engagements.options) >= 20
    history = at.main.dataframe[-1].value
    assert list(history.columns) == ["Date d'évaluation", "Type", "Résultat"] and len(history) >= 1
    before = len(engagements.options)
    at.sidebar.selectbox(key="module").set_value(1).run()
    assert len(at.selectbox(key="conf_engagement").options) == 20 <= before


def test_comparaison_national_ranks_and_region_filter(app):
    at = _open(app, "pages/comparaison.py", pref="87", indicateur="COURRIER_DELAI")
    rank = next(m for m in at.main.metric if m.label.startswith("Rang de 87"))
    assert rank.value == "non classée" and "Pas de valeur en oct. 2026" in rank.help  # 87 did not send Oct.
    at.radio(key="cmp_mode").set_value("moyenne").run()
    rank = next(m for m in at.main.metric if m.label.startswith("Rang de 87"))
    assert rank.value.endswith(" sur 101")  # over the period every prefecture has a mean
    ranking = next(d.value for d in at.main.dataframe if "Rang" in d.value.columns)
    assert ranking["Rang"].is_monotonic_increasing and len(ranking) > 80
    at.sidebar.selectbox(key="region").set_value("75").run()
    regional = next(d.value for d in at.main.dataframe if "Rang" in d.value.columns)
    assert len(regional) <= 12 and set(regional["Code"]) <= {"16", "17", "19", "23", "24", "33", "40", "47", "64",
                                                             "79", "86", "87"}


def test_comparaison_satisfaction_lists_small_samples_apart(app):
    at = _open(app, "pages/comparaison.py")
    at.radio(key="cmp_sujet").set_value("Satisfaction des usagers").run()
    at.selectbox(key="cmp_question").set_value("ATTENTE").run()
    assert not at.exception
    ranking = next(d.value for d in at.main.dataframe if "Rang" in d.value.columns)
    assert (ranking["Avis exprimés"].map(_number) >= stats.MIN_SAMPLE).all()
    unranked = next((d.value for d in at.main.dataframe if "Motif" in d.value.columns), pd.DataFrame())
    assert len(ranking) + len(unranked) == 101
    assert all(reason.startswith("Effectif insuffisant") for reason in unranked.get("Motif", []))


def test_comparaison_for_a_copil_member_names_no_other_prefecture(app, names):
    at = _page_as("pages/comparaison.py", Principal("copil@87", Role.COPIL, "87")).run()
    assert not at.exception, at.exception
    at.sidebar.selectbox(key="indicateur").set_value("COURRIER_DELAI").run()
    # Its prefecture and their sub-prefectures: a choice among them, no region.
    assert [s.key for s in at.sidebar.selectbox if s.key in ("pref", "region")] == ["pref"]
    at.radio(key="cmp_mode").set_value("moyenne").run()
    metrics = {m.label: m.value for m in at.main.metric}
    # A position among the quarters of the distribution, never the exact rank (see qualepref.anonymity).
    assert metrics["Position nationale"] in vocab.NATIONAL_POSITIONS.short_labels().values()
    assert metrics["Votre valeur"].endswith("\u00a0j")
    text = _main_text(at)
    assert "réservés au niveau national" in text
    at.radio(key="cmp_sujet").set_value("Satisfaction des usagers").run()
    assert not at.exception, at.exception
    assert {m.label for m in at.main.metric} >= {"Position nationale", "Médiane nationale"}
    text += _main_text(at)
    leaked = [n for c, n in names.items() if c != "87" and len(n) > 4 and n in text]
    assert not leaked, leaked
    assert not any(key in text for key in ("Classement des préfectures", "Carte des départements"))


def test_transmissions_grid_list_and_filters(app):
    at = _open(app, "pages/transmissions.py")
    metrics = {m.label.split(" en ")[0]: m.value for m in at.main.metric}
    assert metrics["À jour"].endswith(f"/ {N_SITES}")
    missing = next(d.value for d in at.main.dataframe if "Indicateurs manquants" in d.value.columns
                   and "Non transmis" in set(d.value["Statut"]) and "Transmis" not in set(d.value["Statut"]))
    assert len(missing) > 0 and (missing["Indicateurs manquants"] != "").all()
    at.sidebar.selectbox(key="pref").set_value("87").run()
    assert not at.exception
    assert next(m.value for m in at.main.metric if m.label.startswith("À jour")).endswith("/ 1")
    campaigns = at.main.dataframe[-1].value
    assert list(campaigns["Code"]) == ["87"]


def test_transmission_grid_counts_match_the_values(demo_db, names):
    """The site × month aggregate of the query, recomputed in pandas from the raw values; a prefecture
    that never reported is on the grid (it was invisible: the grid listed only sites that once sent a value)."""
    scope = NATIONAL_PRINCIPAL.scope(names)
    with demo_db.cursor() as cur:
        # A hole in one cell (partial), a whole month missing for another site, a site that never reported.
        cur.execute("delete from indicator_values where site_code = '29' and period_start = $m "
                    "and indicator_code = 'COURRIER_DELAI'", {"m": START})
        cur.execute("delete from indicator_values where site_code = '33' and period_start = $m", {"m": START})
        cur.execute("delete from indicator_values where site_code = '23'")
        raw = cur.execute(
            "select v.site_code, v.indicator_code, i.indicator_label, v.period_start from indicator_values v "
            "join indicators i using (indicator_code) "
            "where v.period_kind = 'month' and i.frequency = 'mensuelle'").df()
        mandatory = {label for (label,) in cur.execute(
            "select indicator_label from indicators join modules using (module) "
            "where mandatory and frequency = 'mensuelle'").fetchall()}
        active = {c for (c,) in cur.execute("select site_code from sites where active").fetchall()}
    frame = sql.run(demo_db, "transmission_grid", scope=scope,
                    **transmissions.query_params(START, DEMO_END_MONTH, "month"))
    months = pd.date_range(START, DEMO_END_MONTH, freq="MS")
    in_scope = active & set(scope.site_codes)
    assert set(frame.site_code) == in_scope and "23" in in_scope
    assert len(frame) == len(in_scope) * len(months)
    reported = raw.groupby("site_code").indicator_label.agg(lambda s: set(s))
    sent = raw[raw.period_start.between(pd.Timestamp(START), pd.Timestamp(DEMO_END_MONTH))].groupby(
        ["site_code", "period_start"]).indicator_label.agg(lambda s: set(s))
    for row in frame.itertuples():
        got = sent.get((row.site_code, row.period_start), set())
        expected = reported.get(row.site_code, mandatory)
        assert row.n_expected == len(expected) and row.n_sent == len(got)
        assert row.missing == " ; ".join(sorted(expected - got))
    by_key = frame.set_index(["site_code", "period_start"])
    assert by_key.loc[("29", pd.Timestamp(START)), "missing"] == raw.loc[
        raw.indicator_code == "COURRIER_DELAI", "indicator_label"].iloc[0]
    assert by_key.loc[("33", pd.Timestamp(START)), "n_sent"] == 0
    status = transmissions.status(frame)
    never = status[status.site_code == "23"]
    assert len(never) == len(months) and (never.status == transmissions.MISSING).all()
    count = transmissions.count_at(status, START)
    assert "23 – Creuse" in count.not_sent and "33 – Gironde" in count.not_sent
    assert any(name.startswith("29 – ") for name in count.partial)


def test_quarterly_indicators_have_their_own_grid(demo_db, names):
    scope = NATIONAL_PRINCIPAL.scope(names)
    with demo_db.cursor() as cur:
        quarterly = {c for (c,) in cur.execute(
            "select indicator_code from indicators where frequency = 'trimestrielle'").fetchall()}
        cur.execute("delete from indicator_values where site_code = '87' and period_kind = 'quarter' "
                    "and period_start = '2025-04-01'")
    assert quarterly, "the référentiel has quarterly indicators"
    frame = sql.run(demo_db, "transmission_grid", scope=scope,
                    **transmissions.query_params(date(2025, 2, 1), date(2025, 12, 1), "quarter"))
    assert sorted(set(frame.period_start)) == [pd.Timestamp(d) for d in ("2025-04-01", "2025-07-01", "2025-10-01")]
    status = transmissions.status(frame).set_index(["site_code", "period_start"])
    assert status.loc[("87", pd.Timestamp("2025-04-01")), "status"] == transmissions.MISSING
    assert status.loc[("87", pd.Timestamp("2025-07-01")), "status"] == transmissions.SENT


def test_compliance_module_counts_count_the_latest_assessments(demo_db, names):
    """The heatmap's counts (SQL aggregate) are those of the engagement rows behind each cell."""
    scope = NATIONAL_PRINCIPAL.scope(names)
    with demo_db.cursor() as cur:
        # Two assessments of one engagement on the same day: the same one wins in both queries.
        row = cur.execute("select site_code, module, engagement, assessed_on from compliance_assessments "
                          "where site_code = '87' and assessment_type = 'auto_evaluation' "
                          "order by assessed_on desc limit 1").fetchone()
        cur.execute("insert into compliance_assessments (site_code, module, engagement, assessed_on, "
                    "assessment_type, result) values (?, ?, ?, ?, 'audit_externe', 'non_conforme')", row)
    as_of = date(2026, 10, 31)
    latest = sql.run(demo_db, "compliance_latest", scope=scope, as_of=as_of)
    counts = sql.run(demo_db, "compliance_module_counts", scope=scope, as_of=as_of)
    expected = pd.crosstab([latest.module, latest.site_code], latest.result)
    got = counts.set_index(["module", "site_code"])
    assert len(got) == len(expected)
    for result in ("conforme", "partiel", "non_conforme", "non_applicable"):
        assert (got[f"n_{result}"] == expected.get(result, 0).reindex(got.index)).all(), result
    chosen = latest[(latest.site_code == row[0]) & (latest.engagement == row[2]) & (latest.module == row[1])]
    assert chosen.assessment_type.tolist() == ["audit_externe"]


def test_every_compliance_query_lets_the_same_assessment_win_on_the_same_day(demo_db, names):
    """Audit externe > audit interne > enquête mystère > auto-évaluation, whichever page asks."""
    scope = NATIONAL_PRINCIPAL.scope(names)
    with demo_db.cursor() as cur:
        site, module, engagement, day = cur.execute(
            "select site_code, module, engagement, assessed_on from compliance_assessments "
            "where site_code = '87' and assessment_type = 'auto_evaluation' and result = 'conforme' "
            "order by assessed_on desc limit 1").fetchone()
        cur.execute("delete from compliance_assessments where site_code = ? and module = ? and engagement = ? "
                    "and assessed_on > ?", [site, module, engagement, day])
        # Alphabetically the self-assessment would come first: precedence must not be alphabetical.
        cur.execute("insert into compliance_assessments (site_code, module, engagement, assessed_on, "
                    "assessment_type, result) values (?, ?, ?, ?, 'enquete_mystere', 'non_conforme')",
                    [site, module, engagement, day])
    as_of = date(2026, 10, 31)
    latest = sql.run(demo_db, "compliance_latest", scope=scope, as_of=as_of)
    chosen = latest[(latest.site_code == site) & (latest.module == module) & (latest.engagement == engagement)]
    assert chosen.result.tolist() == ["non_conforme"]
    counts = sql.run(demo_db, "compliance_module_counts", scope=scope, as_of=as_of).set_index(["module", "site_code"])
    in_latest = latest[(latest.site_code == site) & (latest.module == module)]
    assert counts.loc[(module, site), "n_non_conforme"] == (in_latest.result == "non_conforme").sum()
    pack = pack_data.load_pack_data(demo_db, scope, site, date(2026, 1, 1), date(2026, 10, 1)).compliance
    assert pack[(pack.module == module) & (pack.engagement == engagement)].result.tolist() == ["non_conforme"]
    one_site = scope.narrowed([site])
    overview = overview_.compliance_rates(sql.run(demo_db, "compliance_module_counts", scope=one_site,
                                                  as_of=date(2100, 1, 1))).set_index("module")
    in_site_latest = sql.run(demo_db, "compliance_latest", scope=one_site, as_of=date(2100, 1, 1))
    expected = in_site_latest[in_site_latest.module == module].result.eq("non_conforme").sum()
    assert overview.loc[module, "n_non_conforme"] == expected


# The ministry's views (issue 17 §5) ----------------------------------------------------------------

def _figures(at) -> list[dict]:
    """The plotly figures of the page, as the browser receives them (AppTest has no chart element)."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def test_comparaison_satisfaction_opens_on_the_global_question(app):
    at = _open(app, "pages/comparaison.py")
    at.radio(key="cmp_sujet").set_value("Satisfaction des usagers").run()
    assert not at.exception, at.exception
    question = at.selectbox(key="cmp_question")
    assert question.value == "GLOBAL" and question.options[0].startswith("Globalement")
    # The pooled view, if kept, says what it is: answers to every question added up.
    assert any("cumul" in option for option in question.options)
    assert "Globalement" in at.main.subheader[0].value


def test_comparaison_satisfaction_ranks_by_bands_of_overlapping_intervals(app):
    at = _open(app, "pages/comparaison.py", pref="87")
    at.radio(key="cmp_sujet").set_value("Satisfaction des usagers").run()
    assert not at.exception, at.exception
    ranking = next(d.value for d in at.main.dataframe if "Rang" in d.value.columns)
    bands = ranking["Rang"].str.fullmatch(r"(\d+) à (\d+)|\d+")
    assert bands.all() and ranking["Rang"].str.contains(" à ").mean() > 0.5  # most intervals overlap
    captions = " ".join(c.value for c in at.main.caption)
    assert "Wilson" in captions and "chevauch" in captions
    rank = next(m for m in at.main.metric if m.label.startswith("Rang de 87"))
    assert re.fullmatch(r"(entre le (1er|\d+e) et le \d+e|\d+e|1er) sur \d+", rank.value), rank.value
    bars = next(f for f in _figures(at) if f["data"][0]["type"] == "bar")["data"][0]
    assert all(t.endswith("\u00a0%") for t in bars["text"]) and bars["textposition"] == "inside"
    choropleth = next(t for t in next(f for f in _figures(at) if f["data"][0]["type"] == "choropleth")["data"]
                  if t["type"] == "choropleth" and t.get("showscale", True))
    assert choropleth["zmid"] == 75


def test_comparaison_indicator_map_diverges_around_the_target(app):
    at = _open(app, "pages/comparaison.py", indicateur="COURRIER_DELAI")
    figure = next(f for f in _figures(at) if f["data"][0]["type"] == "choropleth")
    coloured = next(t for t in figure["data"] if t["type"] == "choropleth" and t.get("showscale", True))
    assert coloured["zmid"] == 15 and coloured["reversescale"] is True  # target 15 j, lower is better
    assert any(str(code).endswith(geo.ZOOM_SUFFIX) for code in coloured["locations"])  # Île-de-France inset


def test_national_heatmap_names_its_modules_and_writes_percents(app):
    at = _open(app, "pages/conformite.py")
    heat = next(t for f in _figures(at) for t in f["data"] if t["type"] == "heatmap")
    cells = [t for row in heat["text"] for t in row if t]
    assert heat["texttemplate"] == "%{text}" and cells and all(t.endswith("\u00a0%") for t in cells)
    assert "Relation générale" in heat["x"][0].replace("<br>", " ")
