"""The COPIL pack (.pptx) read back with python-pptx and compared with the database."""

from __future__ import annotations

import io
import re
from datetime import date

import pandas as pd
import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_SHAPE_TYPE

from qualepref import anonymity, fmt, sql, stats, vocab
from qualepref.access import Principal, Role, ScopeError
from qualepref.db import Database
from qualepref.export import pack, pack_data
from tests.conftest import DEMO_END_MONTH, national_scope

SITE = "87"
START = date(2025, 1, 1)
END = DEMO_END_MONTH


@pytest.fixture(scope="module")
def demo_ro(demo_template):
    database = Database(demo_template, read_only=True)
    yield database
    database.close()


def referent(database, site: str):
    """The scope of a référent of `site`, minted the way the app does it."""
    codes = [c for (c,) in _db_rows(database, "select site_code from sites")]
    return Principal(user=f"referent-{site}", role=Role.REFERENT, site_code=site).scope(codes)


@pytest.fixture(scope="module")
def referent_scope(demo_ro):
    return referent(demo_ro, SITE)


@pytest.fixture(scope="module")
def data(demo_ro, referent_scope):
    return pack_data.load_pack_data(demo_ro, referent_scope, SITE, START, END, built_on=date(2026, 11, 5))


@pytest.fixture(scope="module")
def deck(data):
    return Presentation(io.BytesIO(pack.build_pptx(data)))


def _texts(slide) -> list[str]:
    found = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            found.append(shape.text_frame.text)
        if shape.has_table:
            found += [cell.text for row in shape.table.rows for cell in row.cells]
    return found


def _title(slide) -> str:
    return slide.shapes.title.text if slide.shapes.title is not None else next(
        s.text_frame.text for s in slide.shapes if s.name == "Titre")


def _charts(slide):
    return [s.chart for s in slide.shapes if s.has_chart]


def _table(slide, name):
    shape = next(s for s in slide.shapes if s.has_table and s.name == name)
    rows = [[cell.text for cell in row.cells] for row in shape.table.rows]
    return shape.table, rows


def _db_rows(database, query, *params):
    with database.cursor() as cur:
        return cur.execute(query, list(params)).fetchall()


def test_slides_and_titles(deck, demo_ro, data):
    titles = [_title(s) for s in deck.slides]
    assert titles[0] == "Préfecture de la Haute-Vienne (87)"
    assert titles[1] == "Chiffres clés"
    families = [t for t in titles if t.startswith("Indicateurs – ")]
    assert families == ["Indicateurs – Courriers, courriels et réclamations",
                        "Indicateurs – Courriers, courriels et réclamations (suite)", "Indicateurs – Téléphone",
                        "Indicateurs – Accueil", "Indicateurs – Numérique et réseaux sociaux"]
    assert "Satisfaction des usagers – campagne 2026" in titles
    assert "Alertes" in titles and titles[-1] == "Transmissions manquantes"
    alerts = [t for t in titles if t.startswith("Alertes")]
    n_engagements = _db_rows(demo_ro, "select count(distinct (module, engagement)) from compliance_assessments "
                                      "where site_code = ? and assessed_on <= ?", SITE, date(2026, 10, 31))[0][0]
    compliance = [t for t in titles if t.startswith("Conformité aux engagements")]
    assert len(compliance) == -(-n_engagements // pack.ROWS_PER_TABLE_SLIDE)
    national = [t for t in titles if t.startswith("Position nationale")]
    compared = data.values.indicator_code.nunique() + 1  # each indicator, and the global satisfaction
    assert len(national) == -(-compared // pack.ROWS_PER_TABLE_SLIDE) and national[0].startswith("Position")
    plan = [t for t in titles if t.startswith("Suivi du plan d'actions")]
    assert plan and titles.index(plan[0]) == titles.index(alerts[-1]) + 1
    assert len(titles) == 2 + len(families) + 1 + len(national) + len(alerts) + len(plan) + len(compliance) + 1


def test_the_action_plan_slide_is_a_native_table_of_late_decided_and_done_actions(deck, data, demo_ro):
    slide = next(s for s in deck.slides if _title(s).startswith("Suivi du plan d'actions"))
    tables = [shape for shape in slide.shapes if shape.has_table]
    assert len(tables) == 1 and tables[0].name == "Suivi du plan d'actions"  # editable in PowerPoint
    rows = [[cell.text for cell in row.cells] for row in tables[0].table.rows]
    assert rows[0] == ["Suivi", "N°", "Action", "Pilote", "Échéance", "Statut", "Effet"]
    expected = pack_data.action_table(data)
    assert [r[1] for r in rows[1:]] == list(expected["N°"])
    stored = {str(i): t for i, t in _db_rows(demo_ro, "select action_id, title from actions where site_code = ?",
                                                SITE)}
    assert all(stored[r[1]] == r[2] for r in rows[1:])
    late = [r for r in rows[1:] if r[0].startswith("⚠ En retard de ")]
    assert late and all(r[5] in ("À lancer", "En cours") for r in late)
    done = [r for r in rows[1:] if r[0].startswith("Réalisée le")]
    assert done and any(r[6] == "Amélioration" for r in done)  # the demonstration plan's measured effect
    assert "en retard" in " ".join(_texts(slide))


def test_national_position_is_the_comparaison_pages_figure(data, demo_ro, referent_scope):
    """Same query, same period, same rule as the Comparaison page; a quarter, never a rank."""
    table = pack_data.national_position(data).set_index("Indicateur")
    assert len(table) == data.values.indicator_code.nunique() + 1
    summary = sql.run(demo_ro, "national_indicator_summary", scope=referent_scope, indicator="COURRIER_DELAI",
                      start=START, end=END, mode="dernier").iloc[0]
    row = table.loc["Délai moyen de réponse aux courriers"]
    assert row["Médiane nationale"] == fmt.with_unit(summary["median"], "jours ouvrés")
    assert row["Préfectures comparées"] == str(summary.n_sites) and row["Période"] == fmt.month(END)
    satisfaction = table.loc["Satisfaction globale des usagers"]
    assert satisfaction["Période"] == "campagne 2026"
    assert set(table["Position nationale"]) <= {*map(anonymity.position_text, anonymity.POSITIONS),
                                                 "Indicateur de suivi (sans classement)", "Non classée (pas de valeur)"}
    assert not table["Position nationale"].str.contains(r"\d+(er|e) sur \d+", regex=True).any()


def test_every_slide_names_its_source_and_the_demo(deck):
    for number, slide in enumerate(deck.slides, start=1):
        texts = _texts(slide)
        assert any(t.startswith("Source : Qual-e-Pref, données au ") for t in texts), number
        assert any("Données de démonstration" in t for t in texts), number
    assert any("Licence Ouverte" in t for t in _texts(deck.slides[0]))


def test_indicator_charts_are_native_lines_with_database_values_and_target(deck, demo_ro):
    slide = next(s for s in deck.slides if _title(s) == "Indicateurs – Courriers, courriels et réclamations")
    charts = {c.chart_title.text_frame.text: c for c in _charts(slide)}
    assert not [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE], "charts, not pictures"
    chart = charts["Délai moyen de réponse aux courriers"]
    assert chart.chart_type in (XL_CHART_TYPE.LINE, XL_CHART_TYPE.LINE_MARKERS)
    values, target = chart.plots[0].series
    stored = dict(_db_rows(demo_ro, "select period_start, value from indicator_values where site_code = ? "
                                    "and indicator_code = 'COURRIER_DELAI' and period_start between ? and ?",
                           SITE, START, END))
    categories = list(chart.plots[0].categories)
    assert categories[0] == "janv. 2025" and categories[-1] == fmt.month(END)
    expected = {fmt.month(p): v for p, v in stored.items()}
    assert len(categories) == 22
    for category, value in zip(categories, values.values, strict=True):
        assert value == expected.get(category), category  # a month without data is a gap (None), not 0
    assert None in values.values, "the demo site has an untransmitted month in the period"
    assert target.name == "Cible (≤ 15\u00a0j)"
    assert set(target.values) == {15.0}
    suite = next(s for s in deck.slides if _title(s) == "Indicateurs – Courriers, courriels et réclamations (suite)")
    untargeted = {c.chart_title.text_frame.text: c for c in _charts(suite)}["Nombre de réclamations et suggestions "
                                                                           "reçues"]
    assert len(untargeted.plots[0].series) == 1, "no target series for an indicator without target"


def test_satisfaction_chart_is_columns_with_the_75_percent_line(deck, demo_ro):
    slide = next(s for s in deck.slides if _title(s).startswith("Satisfaction des usagers"))
    (chart,) = _charts(slide)
    assert chart.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
    bar_plot, line_plot = chart.plots
    assert type(line_plot).__name__ == "LinePlot"
    (rates,) = bar_plot.series
    (threshold,) = line_plot.series
    stored = _db_rows(demo_ro, "select q.question_label, r.satisfaction_rate, r.n_expressed "
                               "from v_survey_results r join questions q using (question_code) "
                               "where r.site_code = ? and r.campaign = '2026' "
                               "order by q.module, q.engagement nulls last, r.question_code", SITE)
    assert rates.values == pytest.approx([rate * 100 for _, rate, _ in stored])
    assert set(threshold.values) == {75.0} and len(threshold.values) == len(stored)
    for category, (label, _, n) in zip(bar_plot.categories, stored, strict=True):
        assert category.startswith(label.rstrip(" ?")[:20]) and f"n\u00a0=\u00a0{fmt.number(n, 0)}" in category


def test_key_figures_match_the_database(deck, demo_ro):
    slide = deck.slides[1]
    # "Satisfaction globale" is the overall question with its respondents (it pooled the nine questions:
    # about nine answers per respondent counted as "avis").
    satisfied, expressed = _db_rows(demo_ro, "select n_tres_satisfait + n_satisfait, n_expressed "
                                             "from v_survey_results where site_code = ? and campaign = '2026' "
                                             "and question_code = 'GLOBAL'", SITE)[0]
    texts = _texts(slide)
    assert fmt.percent(satisfied / expressed, fraction=True) in texts
    assert any(f"n = {fmt.number(expressed, 0)} répondants" in t for t in texts)
    _, rows = _table(slide, "Tableau des chiffres clés")
    assert rows[0] == ["Indicateur", "Période", "Valeur", "Cible", "Situation"]
    latest = _db_rows(demo_ro, "select value from indicator_values where site_code = ? and "
                               "indicator_code = 'APPELS_PERDUS' and period_start <= ? "
                               "order by period_start desc limit 1", SITE, END)[0][0]
    row = next(r for r in rows if r[0] == "Taux d'appels perdus")
    assert row[2] == fmt.percent(latest) and row[3] == "≤ 10\u00a0% (référentiel national)"
    assert row[4] == ("Cible atteinte" if latest <= 10 else row[4])


def _indicator_runs(database, site):
    """Independent recomputation of the Alertes rule: each targeted indicator's latest value in the six
    months up to END, and the misses in a row ending there, a period without data breaking the run."""
    window = date(END.year - (END.month <= 5), (END.month - 6) % 12 + 1, 1)
    rows = _db_rows(database, "select v.indicator_code, i.indicator_label, i.direction, i.target, v.value, "
                              "v.period_start, v.period_kind "
                              "from indicator_values v join indicators i using (indicator_code) "
                              "where v.site_code = ? and v.period_start between ? and ? "
                              "and i.target is not null and i.direction is not null "
                              "order by v.indicator_code, v.period_kind, v.period_start",
                    site, window, END)
    runs, last = {}, {}
    for code, label, direction, target, value, start, kind in rows:
        step = {"month": 1, "quarter": 3, "year": 12}[kind]
        index = (start.year * 12 + start.month - 1) // step
        worse = value > target if direction == "baisse" else value < target
        previous = runs[code][1] if code in runs and last.get(code) == (kind, index - 1) else 0
        runs[code] = (label, previous + 1 if worse else 0)
        last[code] = (kind, index)
    return runs


def test_alerts_table_lists_indicators_off_target_and_flags_two_in_a_row(deck, demo_ro):
    slide = next(s for s in deck.slides if _title(s) == "Alertes")
    _, rows = _table(slide, "Alertes indicateurs")
    listed = {r[0]: r[4] for r in rows[1:]}
    expected = {label: run for label, run in _indicator_runs(demo_ro, SITE).values() if run}
    assert expected, "the demo site misses some targets"
    assert set(listed) == set(expected)
    for label, run in expected.items():
        assert listed[label] == (f"{run} périodes consécutives hors cible" if run >= 2
                                 else "Première période hors cible")


def test_satisfaction_alerts_of_a_site_with_a_weak_question(demo_ro):
    weak = _db_rows(demo_ro, "select site_code, question_label, satisfaction_rate from v_survey_results "
                             "join questions using (question_code) where campaign = '2026' "
                             "and satisfaction_rate < 0.75 order by site_code limit 1")
    assert weak, "the demonstration data have weak questions"
    site, label, rate = weak[0]
    scope = referent(demo_ro, site)
    data = pack_data.load_pack_data(demo_ro, scope, site, START, END)
    slide = next(s for s in Presentation(io.BytesIO(pack.build_pptx(data))).slides if _title(s) == "Alertes")
    _, rows = _table(slide, "Alertes satisfaction")
    row = next(r for r in rows if r[0] == label)
    assert row[1] == fmt.percent(rate, fraction=True)
    assert row[4] in {"Significativement sous 75 %", "Sous 75 %", "Effectif insuffisant"}


def test_compliance_table_has_the_latest_result_in_text_and_colour(deck, demo_ro):
    latest = _db_rows(demo_ro, "select module, engagement, result from compliance_assessments "
                               "where site_code = ? and assessed_on <= ? qualify row_number() over "
                               "(partition by module, engagement order by assessed_on desc) = 1 "
                               "order by module, engagement", SITE, date(2026, 10, 31))
    shown, colours = [], {}
    for slide in deck.slides:
        if _title(slide).startswith("Conformité aux engagements"):
            table, rows = _table(slide, "Carte de conformité")
            assert rows[0][:4] == ["Module", "N°", "Engagement", "Résultat"]
            for r, row in enumerate(rows[1:], start=1):
                shown.append((int(row[0]), int(row[1]), row[3]))
                colours.setdefault(row[3], set()).add(str(table.cell(r, 3).fill.fore_color.rgb))
    assert shown == [(m, e, vocab.COMPLIANCE_RESULTS.label(r)) for m, e, r in latest]
    assert all(len(c) == 1 for c in colours.values()), "one colour per result"
    assert len({next(iter(c)) for c in colours.values()}) == len(colours), "results differ in colour"


def test_missing_transmissions_slide_lists_months_without_data(deck, demo_ro):
    sent = {p for (p,) in _db_rows(demo_ro, "select distinct period_start from indicator_values "
                                            "where site_code = ? and period_kind = 'month'", SITE)}
    months = [date(y, m, 1) for y in (2025, 2026) for m in range(1, 13) if date(y, m, 1) <= END]
    missing = [fmt.month(m) for m in months if m not in sent]
    slide = deck.slides[-1]
    text = next(s.text_frame.text for s in slide.shapes if s.name == "Mois non transmis")
    assert missing and text.startswith(", ".join(missing))


def test_referent_pack_names_no_other_prefecture(deck, demo_ro):
    names = _db_rows(demo_ro, "select site_code, site_name from sites where site_code <> ?", SITE)
    text = "\n".join(t for slide in deck.slides for t in _texts(slide))
    for slide in deck.slides:
        for chart in _charts(slide):
            text += "\n".join(chart.plots[0].categories)
    for code, name in names:
        assert not re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text), name
        assert f"({code})" not in text


def test_a_referent_cannot_build_another_prefectures_pack(demo_ro, referent_scope):
    with pytest.raises(ScopeError):
        pack_data.load_pack_data(demo_ro, referent_scope, "23", START, END)


def test_pack_of_a_prefecture_without_data(db):
    scope = national_scope(db)
    data = pack_data.load_pack_data(db, scope, SITE, START, END)
    deck = Presentation(io.BytesIO(pack.build_pptx(data)))
    titles = [_title(s) for s in deck.slides]
    assert titles == ["Préfecture de la Haute-Vienne (87)", "Chiffres clés", "Satisfaction des usagers", "Alertes",
                      "Suivi du plan d'actions", "Conformité aux engagements", "Transmissions manquantes"]
    assert "Aucune action décidée, réalisée ou en retard sur la période." in _texts(deck.slides[4])
    assert not any("démonstration" in t for s in deck.slides for t in _texts(s))
    assert "Aucune enquête de satisfaction jusqu'à la fin de la période." in _texts(deck.slides[2])


def test_crowded_alerts_continue_on_a_second_slide_without_losing_rows(db):
    """Every targeted indicator off target and every question under 75 %: nothing is cut."""
    scope = national_scope(db)
    indicators = sql.run(db, "referentiel_indicators", scope=scope)
    targeted = indicators[indicators.target.notna() & indicators.direction.notna()]
    months = pd.date_range("2026-07-01", "2026-10-01", freq="MS")
    values = pd.DataFrame([
        {**ind._asdict(), "period_start": month, "period_kind": "month",
         "value": ind.target * 2 if ind.direction == "baisse" else ind.target / 2}
        for ind in targeted.itertuples(index=False) for month in months
    ])
    questions = sql.run(db, "referentiel_questions", scope=scope)
    survey = stats.with_satisfaction(pd.DataFrame({
        "campaign": "2026", "question_code": questions.question_code, "question_label": questions.question_label,
        "module": questions.module, "engagement": questions.engagement, "n_tres_satisfait": 10,
        "n_satisfait": 20, "n_peu_satisfait": 40, "n_pas_du_tout_satisfait": 30, "n_sans_avis": 0,
        "n_expressed": 100, "satisfaction_rate": 0.3,
    }))
    data = pack_data.PackData(
        site_code=SITE, site_name="Haute-Vienne", region_name="Nouvelle-Aquitaine", start=date(2026, 7, 1),
        end=date(2026, 10, 1), built_on=date(2026, 11, 5), data_as_of=date(2026, 11, 2), is_demo=False,
        values=values, survey=survey, compliance=pd.DataFrame(columns=[
            "module", "module_name", "engagement", "engagement_label", "assessed_on", "assessment_type",
            "result"]),
        # The alert window's rows (alert_indicator_values): the same four months of the same site.
        window_values=values.assign(site_code=SITE, site_name="Haute-Vienne"),
    )
    deck = Presentation(io.BytesIO(pack.build_pptx(data)))
    slides = {_title(s): s for s in deck.slides}
    _, survey_rows = _table(slides["Alertes"], "Alertes satisfaction")
    _, indicator_rows = _table(slides["Alertes (suite)"], "Alertes indicateurs")
    assert len(survey_rows) - 1 == len(questions)
    assert {r[4] for r in survey_rows[1:]} == {"Significativement sous 75 %"}
    assert len(indicator_rows) - 1 == len(targeted)
    assert {r[4] for r in indicator_rows[1:]} == {"4 périodes consécutives hors cible"}
    assert all(any(t.startswith("Source : Qual-e-Pref, données au 02/11/2026") for t in _texts(s))
               for s in deck.slides)
