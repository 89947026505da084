"""The app with real Streamlit (AppTest) on a fresh database file."""

import pytest
from streamlit.testing.v1 import AppTest

from qualepref import auth, demo, ui
from qualepref.access import Principal, Role
from qualepref.db import Database
from tests.conftest import N_SITES, ROOT

PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))


@pytest.fixture
def fresh_app(tmp_path, monkeypatch):
    monkeypatch.setenv("QUALEPREF_DB", str(tmp_path / "app.duckdb"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    return at


def test_first_start_loads_demo_data_and_shows_national_figures(fresh_app, tmp_path):
    at = fresh_app.run()
    assert not at.exception
    assert any("Données de démonstration" in w.value for w in at.warning)
    labels = {m.label: m.value for m in at.metric}
    # Every active site: the 101 prefectures and the demonstration's sub-prefectures.
    assert labels["Sites à jour"].endswith(f"/ {N_SITES}")
    assert labels["Satisfaction globale"].endswith("%") and "," in labels["Satisfaction globale"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_exception(fresh_app, page):
    at = fresh_app.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert at.title, f"{page} has no title"


def test_removing_demo_data_from_the_page(fresh_app, tmp_path):
    at = fresh_app.run()  # the first start loads the demonstration
    # Discovery mode is read-only: the first administrator is created on the server, then signs in.
    admin = Principal("chef@interieur.gouv.fr", Role.ADMIN, display_name="Chef")
    with Database(tmp_path / "app.duckdb") as db:
        auth.create_account(db, actor="ligne de commande", email=admin.user, display_name="Chef", role=Role.ADMIN)
    at.session_state["principal"] = admin
    at.switch_page("pages/demonstration.py").run()
    at.checkbox[0].check().run()
    [remove] = [b for b in at.button if b.label == "Supprimer les données de démonstration"]
    remove.click().run()
    assert not at.exception
    assert not at.warning, "the demonstration banner must disappear"
    # A restarted app does not bring the demonstration back.
    ui._open_db.clear()
    restarted = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not restarted.exception and not restarted.warning
    with Database(tmp_path / "app.duckdb") as db:
        assert not demo.has_demo_data(db)


def test_filters_live_in_the_url(fresh_app):
    fresh_app.query_params["pref"] = "87"
    at = fresh_app.run()
    assert at.metric[0].value == "1 / 1"
    at.sidebar.selectbox(key="pref").set_value("__tous__").run()
    assert at.metric[0].value.endswith(f"/ {N_SITES}") and "pref" not in at.query_params
    at.sidebar.selectbox(key="region").set_value("75").run()
    assert at.query_params["region"] == ["75"] or at.query_params["region"] == "75"
    assert at.metric[0].value.endswith("/ 15")  # 12 départements and 3 sub-prefectures (Bellac, Rochechouart, Libourne)
