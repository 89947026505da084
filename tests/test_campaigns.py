"""Survey campaigns are labels with their year (issue 12.9): a second survey of the same year is a
campaign of its own, the preview warns before another campaign's results are replaced, and every
page, the pack and the poster handle a labelled campaign."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date, datetime

import pandas as pd
import pytest
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from qualepref import auth, campaigns, ingest
from qualepref import db as dbmod
from qualepref.access import Principal, Role
from qualepref.db import Database
from qualepref.export import figures, pack, pack_data
from qualepref.ingest import samples
from tests.conftest import ROOT
from tests.test_ingest_support import TODAY, analyse, import_file, national_scope

QUESTIONS = ["Globalement, êtes-vous satisfait du service rendu ?", "Le temps d'attente vous a-t-il paru raisonnable ?"]


@pytest.mark.parametrize("written, label, year", [
    (2025, "2025", 2025), (2025.0, "2025", 2025), ("2025.0", "2025", 2025), ("Campagne 2025", "2025", 2025),
    ("Enquête de satisfaction 2025 en ligne", "2025 en ligne", 2025), ("2025-T2", "2025-T2", 2025),
    ("  2024   guichet ", "2024 guichet", 2024), ("Année : 2023", "2023", 2023),
])
def test_a_campaign_is_a_label_with_its_year(written, label, year):
    assert campaigns.parse(written) == campaigns.Campaign(year, label)


@pytest.mark.parametrize("written", ["en ligne", "", None, float("nan"), "T2", "2025 " + "x" * 60])
def test_a_campaign_names_a_year(written):
    assert campaigns.parse(written) is None


def test_campaigns_are_ordered_by_year_then_label():
    assert campaigns.ordered(["2026", "2025-T2", "2025 en ligne", "2025", "2024"]) == [
        "2024", "2025", "2025 en ligne", "2025-T2", "2026"]
    assert campaigns.latest(["2025", "2024 en ligne", "2025 en ligne"]) == "2025 en ligne"


def _paper_survey(path, *, answers_per_question=250, campaign="2025"):
    """Aggregated results of the paper survey: 250 answers to each of two questions."""
    frame = pd.DataFrame({
        "site_code": "87", "campaign": campaign, "question_code": ["GLOBAL", "ATTENTE"],
        "n_tres_satisfait": answers_per_question // 2, "n_satisfait": answers_per_question // 4,
        "n_peu_satisfait": answers_per_question // 8, "n_pas_du_tout_satisfait": answers_per_question // 16,
        "n_sans_avis": answers_per_question - (answers_per_question // 2 + answers_per_question // 4
                                               + answers_per_question // 8 + answers_per_question // 16),
    })
    return samples.write_survey_xlsx(frame, path)


def _online_export(path, n=12, year=2025):
    answers = [["Très satisfait" if i % 3 else "Peu satisfait", "Satisfait"] for i in range(n)]
    stamps = [datetime(year, 6, 1 + i % 28, 10, 0) for i in range(n)]
    return samples.write_raw_survey_xlsx(path, QUESTIONS, answers, stamps=stamps)


def _stored(db):
    with db.cursor() as cur:
        return cur.execute("select campaign, campaign_year, question_code, n_expressed + n_sans_avis "
                           "from v_survey_results order by all").fetchall()


def test_an_online_survey_of_the_same_year_is_a_campaign_of_its_own(db, tmp_path):
    import_file(db, _paper_survey(tmp_path / "papier.xlsx"), site="87")
    plan, result = import_file(db, _online_export(tmp_path / "en-ligne.xlsx"), site="87", campaign="2025 en ligne")
    assert not plan.attention
    assert (result.rows_written, result.rows_replaced) == (2, 0)
    assert _stored(db) == [("2025", 2025, "ATTENTE", 250), ("2025", 2025, "GLOBAL", 250),
                           ("2025 en ligne", 2025, "ATTENTE", 12), ("2025 en ligne", 2025, "GLOBAL", 12)]
    # Another spelling of a stored label joins it (and replaces its own results, from the same file).
    plan = analyse(db, _online_export(tmp_path / "en-ligne.xlsx", n=13), site="87", campaign="2025 En-Ligne")
    assert set(plan.batches["survey_results"]["campaign"]) == {"2025 en ligne"}
    assert plan.counts["survey_results"].replaced == 2


def test_the_preview_warns_before_another_campaign_is_replaced(db, tmp_path):
    """An online export without a campaign takes the year of its answers: it would replace the paper
    campaign of 250 answers by 12. Before labels, this happened without a word."""
    import_file(db, _paper_survey(tmp_path / "papier.xlsx"), site="87")
    plan = analyse(db, _online_export(tmp_path / "en-ligne.xlsx"), site="87")
    assert plan.ok and plan.counts["survey_results"].replaced == 2
    [warning] = plan.attention
    assert warning in plan.warnings and warning.value == "2025"
    assert "campagne « 2025 »" in warning.message and "« papier.xlsx »" in warning.message
    assert "jusqu'à 250 réponses par question" in warning.message
    assert "(12 réponses), beaucoup moins nombreuses" in warning.message
    assert "« 2025 en ligne »" in warning.message
    # The same file imported again (a correction) replaces nothing else: no warning.
    plan = analyse(db, _paper_survey(tmp_path / "papier.xlsx", answers_per_question=260), site="87")
    assert plan.counts["survey_results"].replaced == 2 and not plan.attention


def test_a_campaign_column_with_names(db, tmp_path):
    path = samples.write_rows_xlsx(tmp_path / "enquetes.xlsx", {"Enquête": [
        ["Site", "Campagne", "Question", "Très satisfait", "Satisfait", "Peu satisfait", "Pas du tout satisfait",
         "Sans avis"],
        ["87", "Enquête 2025 guichet", "GLOBAL", 10, 5, 1, 0, 0],
        ["87", 2025, "GLOBAL", 20, 5, 1, 0, 0],
        ["87", "2025-T2", "GLOBAL", 30, 5, 1, 0, 0],
        ["87", "en ligne", "GLOBAL", 30, 5, 1, 0, 0],
        ["87", "2027", "GLOBAL", 30, 5, 1, 0, 0],
    ]})
    plan = analyse(db, path)
    messages = {(e.row, e.value): e.message for e in plan.errors}
    assert messages[(5, "en ligne")].startswith("Campagne non reconnue : écrivez l'année, suivie si besoin d'un nom")
    assert messages[(6, "2027")] == "Campagne dans le futur : vérifiez l'année."
    assert len(plan.errors) == 2
    batch = plan.batches["survey_results"]
    assert sorted(zip(batch.campaign, batch.campaign_year, strict=True)) == [
        ("2025", 2025), ("2025 guichet", 2025), ("2025-T2", 2025)]


def test_command_line_takes_a_campaign_label(tmp_path):
    path = _online_export(tmp_path / "en-ligne.xlsx", year=2024)
    env = {"QUALEPREF_DB": str(tmp_path / "cli.duckdb"), "PATH": "/usr/bin:/bin"}
    run = [sys.executable, "-m", "qualepref", "import", str(path), "--site", "87", "--json"]
    done = subprocess.run([*run, "--campaign", "2024 en ligne"], capture_output=True, text=True, env=env,
                          cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rows_written"] == 2
    refused = subprocess.run([*run, "--campaign", "en ligne"], capture_output=True, text=True, env=env, cwd=ROOT,
                             check=False)
    assert refused.returncode == 2 and "--campaign" in refused.stderr
    with Database(tmp_path / "cli.duckdb") as database, database.cursor() as cur:
        assert cur.execute("select distinct campaign, campaign_year from survey_results").fetchall() == [
            ("2024 en ligne", 2024)]


def test_an_older_database_gets_the_year_of_its_campaigns(tmp_path, monkeypatch):
    path = tmp_path / "ancienne.duckdb"
    previous = [m for m in dbmod._migrations() if m[0] < 32]
    with monkeypatch.context() as patch:
        patch.setattr(dbmod, "_migrations", lambda: previous)
        with Database(path) as old, old.transaction() as cur:
            cur.execute("insert into survey_results values ('87', '2024', 'GLOBAL', 1, 2, 3, 4, 5, null, false)")
    with Database(path) as database, database.cursor() as cur:
        columns = [r[0] for r in cur.execute("describe v_survey_results").fetchall()]
        assert columns[:3] == ["site_code", "campaign", "question_code"] and columns[-1] == "campaign_year"
        assert cur.execute("select campaign, campaign_year, satisfaction_rate from v_survey_results").fetchall() == [
            ("2024", 2024, 0.3)]


# -- pages, pack and poster with two campaigns in the demonstration's last year --------------------------
ONLINE = f"{TODAY.year} en ligne"


@pytest.fixture
def two_campaigns(demo_db_path, tmp_path, monkeypatch):
    with Database(demo_db_path) as database:
        import_file(database, _online_export(tmp_path / "en-ligne.xlsx", n=40, year=TODAY.year), site="87",
                    campaign=ONLINE)
        auth.create_account(database, actor="tests", email=REFERENT.user, display_name="Référente",
                            role=REFERENT.role, site_code="87")
    monkeypatch.setenv("QUALEPREF_DB", str(demo_db_path))
    return demo_db_path


REFERENT = Principal("referent87@interieur.gouv.fr", Role.REFERENT, "87")


def _page(page: str, **params) -> AppTest:
    """`page` as the référent of Haute-Vienne sees it (real data: no discovery mode)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["principal"] = REFERENT
    at.switch_page(page)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def test_pages_show_a_labelled_campaign(two_campaigns):
    overview_page = _page("pages/vue_ensemble.py", pref="87")
    assert any(ONLINE in m.help or ONLINE in m.label for m in overview_page.metric) or any(
        ONLINE in c.value for c in overview_page.caption), "the overview names the latest campaign"
    alerts_page = _page("pages/alertes.py", pref="87", debut=f"{TODAY.year}-01", fin=f"{TODAY.year}-10")
    # The online campaign's global question (two answers in three « très satisfait ») is under 75 %.
    shown = pd.concat([frame.value.astype(str) for frame in alerts_page.dataframe], ignore_index=True)
    assert shown.apply(lambda row: row.str.contains(f"Campagne {ONLINE}", regex=False).any(), axis=1).any()
    trends_page = _page("pages/tendances.py", pref="87", vue="satisfaction")
    names = {trace.get("name") for chart in trends_page.get("plotly_chart")
             for trace in json.loads(chart.proto.spec)["data"]}
    assert {f"Campagne {TODAY.year}", f"Campagne {ONLINE}"} <= names


def test_pack_and_poster_take_the_last_campaign_of_the_last_year(two_campaigns):
    with Database(two_campaigns, read_only=True) as database:
        data = pack_data.load_pack_data(database, national_scope(database), "87", date(TODAY.year, 1, 1),
                                        date(TODAY.year, 10, 1), built_on=TODAY)
    assert data.campaign == ONLINE
    assert set(data.last_survey.campaign) == {ONLINE} and data.last_survey.n_expressed.max() == 40
    deck = Presentation(io.BytesIO(pack.build_pptx(data)))
    titles = [s.shapes.title.text for s in deck.slides if s.shapes.title is not None]
    assert f"Satisfaction des usagers – campagne {ONLINE}" in titles
    poster = figures.poster_figure(data)
    assert any(f"Enquête {ONLINE}" in note.text for note in poster.layout.annotations)
    assert ingest  # the import API used above through tests.test_ingest_support
