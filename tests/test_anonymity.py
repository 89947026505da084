"""Small-sample re-identification: what a one-prefecture scope learns of the others.

Databases are built with 2, 5, 10, 11, 20 and 21 contributing prefectures
(prefecture 87 among them), for an indicator and for a survey question, and
read the way a COPIL member of 87 reads them: through the real queries, the
Comparaison and Tendances pages (AppTest) and the COPIL pack. A national
statistic needs 10 contributing prefectures besides 87 (quartiles, median),
20 for the 10th and 90th centiles; below that the page says so instead of
giving the figure. The ministry keeps seeing every figure by name.
"""

from __future__ import annotations

import io
import re
import shutil
from datetime import date

import pandas as pd
import pytest
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from qualepref import fmt, store, vocab
from qualepref.access import Principal, Role, system_scope
from qualepref.db import Database
from tests.conftest import ROOT

OWN = "87"
INDICATOR = "COURRIER_DELAI"  # jours ouvrés, lower is better
MONTHS = [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)]
CAMPAIGN, QUESTION = "2026", "GLOBAL"
SIZES = (2, 5, 10, 11, 20, 21)  # contributing prefectures, 87 included
TOO_FEW = "pas assez de préfectures pour une comparaison anonyme"
COPIL = Principal("copil87@interieur.gouv.fr", Role.COPIL, OWN)
MINISTRY = Principal("ministere@interieur.gouv.fr", Role.MINISTRY)


def _others(db: Database, n: int) -> list[str]:
    with db.cursor() as cur:
        codes = [r[0] for r in cur.execute("select site_code from sites order by site_code").fetchall()]
    return [c for c in codes if c != OWN][:n]


def own_value(month: int) -> float:
    return 12.2 + 0.2 * month


def other_value(i: int, month: int) -> float:
    return round(6.1 + 1.3 * i + 0.2 * month, 1)


def survey_counts(i: int | None) -> dict[str, int]:
    """Answers of the i-th other prefecture (None: 87): every one over 30 expressed answers."""
    if i is None:
        return {"n_tres_satisfait": 18, "n_satisfait": 12, "n_peu_satisfait": 8, "n_pas_du_tout_satisfait": 4,
                "n_sans_avis": 1}
    return {"n_tres_satisfait": 20 + i, "n_satisfait": 15, "n_peu_satisfait": 4 + i % 3,
            "n_pas_du_tout_satisfait": 2 + i % 5, "n_sans_avis": 1}


def build(path, n_contributors: int, *, own_survey_small: bool = False) -> dict:
    """A database where `n_contributors` prefectures report (87 included); returns what the test must know.

    `own_survey_small`: 87's survey has too few answers to be compared (it is then no contributor).
    """
    with Database(path) as db:
        others = _others(db, n_contributors - 1)
        rows = [(site, month, other_value(i, m)) for m, month in enumerate(MONTHS) for i, site in enumerate(others)]
        rows += [(OWN, month, own_value(m)) for m, month in enumerate(MONTHS)]
        values = pd.DataFrame(rows, columns=["site_code", "period_start", "value"]).assign(
            indicator_code=INDICATOR, period_kind="month", comment=None)
        values["period_start"] = pd.to_datetime(values.period_start)
        own_answers = survey_counts(None)
        if own_survey_small:
            own_answers = {"n_tres_satisfait": 5, "n_satisfait": 3, "n_peu_satisfait": 2,
                           "n_pas_du_tout_satisfait": 2, "n_sans_avis": 0}
        survey = pd.DataFrame([{"site_code": OWN, **own_answers}] + [
            {"site_code": site, **survey_counts(i)} for i, site in enumerate(others)]).assign(
            campaign=CAMPAIGN, question_code=QUESTION)
        scope = system_scope([OWN, *others])
        with db.transaction() as cur:
            store.write(cur, "indicator_values", values, scope=scope, upload_id=store.next_upload_id(cur))
            store.write(cur, "survey_results", survey, scope=scope, upload_id=store.next_upload_id(cur))
        db.checkpoint()
    latest = values[values.period_start == pd.Timestamp(MONTHS[-1])].set_index("site_code").value
    answers = survey.set_index("site_code")
    satisfied = answers.n_tres_satisfait + answers.n_satisfait
    expressed = satisfied + answers.n_peu_satisfait + answers.n_pas_du_tout_satisfait
    rates = (satisfied / expressed * 100)[expressed >= 30]
    return {"latest": latest, "rates": rates, "own_rate": satisfied[OWN] / expressed[OWN] * 100,
            "n": n_contributors, "others": len(others),
            "by_month": values.groupby("period_start").value.apply(list)}


def statistics(values: pd.Series) -> dict[str, float]:
    """The national figures computed as the queries do (linear interpolation, every contributor)."""
    return {"p10": values.quantile(0.1), "q1": values.quantile(0.25), "median": values.quantile(0.5),
            "q3": values.quantile(0.75), "p90": values.quantile(0.9)}


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    made = {}
    for n in SIZES:
        path = tmp_path_factory.mktemp(f"n{n}") / "qualepref.duckdb"
        made[n] = (path, build(path, n))
    path = tmp_path_factory.mktemp("n11_own_survey_small") / "qualepref.duckdb"
    made["11, 87 sous 30 avis"] = (path, build(path, 11, own_survey_small=True))
    return made


@pytest.fixture
def database(templates, tmp_path, monkeypatch):
    """`database(n)`: a private copy of the database with n contributors, opened by the app."""
    def open_copy(n):
        source, facts = templates[n]
        path = tmp_path / f"copy-{str(n).replace(' ', '-')}.duckdb"
        shutil.copy(source, path)
        monkeypatch.setenv("QUALEPREF_DB", str(path))
        return path, facts
    return open_copy


def page_as(page: str, principal: Principal) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=60)
    at.session_state["principal"] = principal
    return at


def page_text(at) -> str:
    """Everything written on the page's main area, tables included."""
    parts = [m.value for m in at.main.markdown] + [m.value for m in at.main.caption]
    parts += [f"{m.label} {m.value} {m.help or ''}" for m in at.main.metric]
    parts += [s.value for s in at.main.subheader] + [w.value for w in at.main.warning]
    parts += [i.value for i in at.main.info]
    parts += [frame.value.to_csv(sep="|") for frame in at.main.dataframe]
    return "\n".join(map(str, parts))


def figures_in(text: str, values, formatter) -> list[str]:
    return [formatter(v) for v in values if formatter(v) in text]


def _days(value) -> str:
    return fmt.with_unit(value, "jours ouvrés")


def _percent(value) -> str:
    return fmt.percent(value)


EXACT_RANK = re.compile(r"\b\d+(er|e) sur \d+")


# Comparaison, indicator ----------------------------------------------------------------------------

@pytest.mark.parametrize("n", SIZES)
def test_comparaison_indicator_for_a_local_user(database, n):
    _, facts = database(n)
    at = page_as("comparaison.py", COPIL).run()
    assert not at.exception, at.exception
    at.sidebar.selectbox(key="indicateur").set_value(INDICATOR).run()
    assert not at.exception, at.exception
    text = page_text(at)
    national = statistics(facts["latest"])
    others = facts["latest"].drop(OWN)
    own_text = _days(facts["latest"][OWN])
    assert own_text in text  # the own value is always shown
    assert not EXACT_RANK.search(text), "an exact rank, with the own value and the quartiles, gives neighbours away"
    if facts["others"] < 10:
        assert TOO_FEW in text.lower()
        leaked = [t for t in figures_in(text, [*national.values(), *others], _days) if t != own_text]
        assert not leaked, f"{n} prefectures: {leaked} shown to a local user"
    else:
        assert _days(national["median"]) in text and _days(national["q1"]) in text
    deciles = [_days(national["p10"]), _days(national["p90"])]
    if facts["others"] < 20:
        assert not [t for t in deciles if t in text and t != own_text and t not in
                    {_days(national[k]) for k in ("q1", "median", "q3")}]
    else:
        assert all(t in text for t in deciles)


@pytest.mark.parametrize("n", SIZES)
def test_comparaison_satisfaction_for_a_local_user(database, n):
    _, facts = database(n)
    at = page_as("comparaison.py", COPIL).run()
    at.radio(key="cmp_sujet").set_value("Satisfaction des usagers").run()
    at.selectbox(key="cmp_question").set_value(QUESTION).run()
    assert not at.exception, at.exception
    text = page_text(at)
    national = statistics(facts["rates"])
    others = facts["rates"].drop(OWN)
    own_text = _percent(facts["own_rate"])
    assert own_text in text
    assert not EXACT_RANK.search(text)
    if facts["others"] < 10:
        assert TOO_FEW in text.lower()
        leaked = [t for t in figures_in(text, [*national.values(), *others], _percent) if t != own_text]
        assert not leaked, f"{n} prefectures: {leaked} shown to a local user"
    else:
        assert _percent(national["median"]) in text
    if facts["others"] >= 20:
        assert _percent(national["p10"]) in text and _percent(national["p90"]) in text
    else:
        quartiles = {_percent(national[k]) for k in ("q1", "median", "q3")}
        assert not [t for t in (_percent(national["p10"]), _percent(national["p90"]))
                    if t in text and t != own_text and t not in quartiles]


def test_ten_other_prefectures_suffice_when_87_is_not_compared(database):
    """Only the others count: ten of them, 87 having too few answers to be compared, is anonymous enough."""
    _, facts = database("11, 87 sous 30 avis")
    at = page_as("comparaison.py", COPIL).run()
    at.radio(key="cmp_sujet").set_value("Satisfaction des usagers").run()
    at.selectbox(key="cmp_question").set_value(QUESTION).run()
    assert not at.exception, at.exception
    text = page_text(at)
    assert OWN not in facts["rates"] and len(facts["rates"]) == 10
    assert "il en faut au moins 10" not in text  # (the deciles, which need 20, are withheld)
    assert _percent(statistics(facts["rates"])["median"]) in text
    assert _percent(facts["own_rate"]) in text and "Effectif insuffisant" in text


def test_the_ministry_still_sees_two_prefectures_by_name(database):
    _, facts = database(2)
    at = page_as("comparaison.py", MINISTRY).run()
    at.sidebar.selectbox(key="indicateur").set_value(INDICATOR).run()
    assert not at.exception, at.exception
    text = page_text(at)
    assert TOO_FEW not in text.lower()
    for site, value in facts["latest"].items():
        assert _days(value) in text and site in text
    assert _days(statistics(facts["latest"])["median"]) in text


# Tendances --------------------------------------------------------------------------------------

def trend_table(at) -> pd.DataFrame:
    return next(d.value for d in at.main.dataframe if "Période" in d.value.columns)


@pytest.mark.parametrize("n", SIZES)
def test_tendances_band_for_a_local_user(database, n):
    _, facts = database(n)
    at = page_as("tendances.py", COPIL).run()
    at.sidebar.selectbox(key="indicateur").set_value(INDICATOR).run()
    assert not at.exception, at.exception
    table = trend_table(at)
    national_columns = [c for c in table.columns if "national" in c.lower()]
    # The table on screen holds French texts (« 17,8 j »); an empty or « – » cell shows nothing.
    national = table[national_columns].astype("string").fillna("").replace("–", "")
    shown = bool((national != "").any(axis=None)) if national_columns else False
    if facts["others"] < 10:
        assert not shown, f"{n} prefectures: the national band gives values away"
        assert TOO_FEW in page_text(at).lower()
    else:
        assert shown
        median = table.set_index("Période")["Médiane nationale"]
        expected = pd.Series([_days(pd.Series(v).median()) for v in facts["by_month"]],
                             index=[fmt.period(m, "month") for m in MONTHS])
        assert median.reindex(expected.index).tolist() == expected.tolist()


def test_tendances_band_for_the_ministry_with_five_prefectures(database):
    database(5)
    at = page_as("tendances.py", MINISTRY).run()
    at.sidebar.selectbox(key="pref").set_value(OWN).run()
    at.sidebar.selectbox(key="indicateur").set_value(INDICATOR).run()
    assert not at.exception, at.exception
    table = trend_table(at)
    assert table["Médiane nationale"].notna().all()


# The COPIL pack ---------------------------------------------------------------------------------

def pack_texts(path, principal: Principal) -> str:
    from qualepref.export import pack, pack_data

    with Database(path, read_only=True) as db, db.cursor() as cur:
        codes = [r[0] for r in cur.execute("select site_code from sites").fetchall()]
        data = pack_data.load_pack_data(db, principal.scope(codes), OWN, MONTHS[0], MONTHS[-1])
    deck = Presentation(io.BytesIO(pack.build_pptx(data)))
    found = []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                found.append(shape.text_frame.text)
            if shape.has_table:
                found += [cell.text for row in shape.table.rows for cell in row.cells]
    return "\n".join(found)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("principal", [COPIL, MINISTRY], ids=["copil", "ministere"])
def test_pack_national_position(database, n, principal):
    """The pack goes to the prefecture's COPIL whoever builds it: the local rule applies."""
    path, facts = database(n)
    text = pack_texts(path, principal)
    assert "Position nationale" in text
    national = statistics(facts["latest"])
    rates = statistics(facts["rates"])
    own_texts = {_days(facts["latest"][OWN]), _percent(facts["own_rate"])}
    if facts["others"] < 10:
        assert TOO_FEW in text.lower()
        leaked = [t for t in figures_in(text, national.values(), _days) + figures_in(text, rates.values(), _percent)
                  if t not in own_texts]
        assert not leaked, leaked
    else:
        assert _days(national["median"]) in text and _percent(rates["median"]) in text
    assert not EXACT_RANK.search(text)


# The rule itself (pure) ------------------------------------------------------------------------

def _summary(n_sites: int) -> dict:
    return {"n_sites": n_sites, "p10": 1.0, "q1": 2.0, "median": 3.0, "q3": 4.0, "p90": 5.0, "own_rank": 2}


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("own_contributes", [True, False])
def test_thresholds_count_the_other_prefectures_only(n, own_contributes):
    from qualepref import anonymity

    figures = anonymity.national_figures(_summary(n), names_visible=False, own_value=3.5,
                                         own_contributes=own_contributes, direction="hausse")
    others = n - own_contributes
    assert figures.n_others == others
    assert figures.quartiles_shown == (others >= anonymity.MIN_OTHERS_QUARTILES == 10)
    assert figures.deciles_shown == (others >= anonymity.MIN_OTHERS_DECILES == 20)
    assert figures.rank is None  # never to a local scope
    assert (figures.median, figures.q1, figures.q3) == ((3.0, 2.0, 4.0) if figures.quartiles_shown else (None,) * 3)
    assert (figures.p10, figures.p90) == ((1.0, 5.0) if figures.deciles_shown else (None, None))
    if not figures.quartiles_shown:
        assert figures.withheld_text.startswith(anonymity.TOO_FEW) and "au moins 10" in figures.withheld_text
        assert figures.position is None
    national = anonymity.national_figures(_summary(n), names_visible=True, own_value=3.5,
                                          own_contributes=own_contributes, direction="hausse")
    assert national.deciles_shown and national.rank == 2  # national scopes see everything


@pytest.mark.parametrize(("own", "higher", "lower"), [
    (4.5, "meilleur_quart", "dernier_quart"), (4.0, "mieux_que_mediane", "moins_bien_que_mediane"),
    (3.5, "mieux_que_mediane", "moins_bien_que_mediane"), (3.0, "a_la_mediane", "a_la_mediane"),
    (2.5, "moins_bien_que_mediane", "mieux_que_mediane"), (2.0, "moins_bien_que_mediane", "mieux_que_mediane"),
    (1.5, "dernier_quart", "meilleur_quart")])
def test_position_depends_on_the_direction_and_the_shown_quartiles_only(own, higher, lower):
    from qualepref import anonymity

    assert anonymity.position(own, 2.0, 3.0, 4.0, lower_is_better=False) == higher
    assert anonymity.position(own, 2.0, 3.0, 4.0, lower_is_better=True) == lower
    assert anonymity.position(None, 2.0, 3.0, 4.0, lower_is_better=False) is None
    assert anonymity.position_text(higher).startswith(vocab.NATIONAL_POSITIONS.short(higher) + " (")


def test_trend_band_blanks_the_periods_with_too_few_others():
    from qualepref import anonymity

    national = pd.DataFrame({"period_start": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"]),
                             "q1": [1.0, 1.0, 1.0], "median": [2.0, 2.0, 2.0], "q3": [3.0, 3.0, 3.0],
                             "n_sites": [10, 11, 10], "n_own": [1, 1, 0]})
    local = anonymity.trend_band(national, names_visible=False)
    assert local["withheld"].tolist() == [True, False, False]
    assert local["median"].isna().tolist() == [True, False, False]
    assert national["median"].notna().all()  # the query's frame is left as it was
    assert not anonymity.trend_band(national, names_visible=True)["withheld"].any()
