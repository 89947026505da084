"""Filters follow the user from page to page (AppTest, real app on the demonstration data).

Widget identities include the page: a filter drawn on a new page is a new
widget, and Streamlit used to start it at its first option (period reset to
the first month of the data, meeting mode off, region and prefecture back to
"all") while the URL kept the old value for a moment. Issue 17 §1.
"""

import pytest
from streamlit.testing.v1 import AppTest

from qualepref import auth
from qualepref.access import Principal, Role
from qualepref.db import Database
from tests.conftest import ROOT

MINISTRY = Principal("analyste@interieur.gouv.fr", Role.MINISTRY)


@pytest.fixture
def app(demo_db_path, monkeypatch):
    """The app signed in as the ministry's analyst (an account exists: no discovery mode).

    Every run goes through app.py, as in the server: AppTest would otherwise run the pages in
    Streamlit's old `pages/` folder mode after the first run (no menu, no meeting-mode switch).
    """
    from streamlit.runtime.pages_manager import PagesManager

    original = PagesManager.__init__

    def through_app(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", through_app)
    with Database(demo_db_path) as db:
        auth.create_account(db, actor="test", email=MINISTRY.user, display_name="Marc", role=MINISTRY.role)
    monkeypatch.setenv("QUALEPREF_DB", str(demo_db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["principal"] = MINISTRY
    return at


def _run(at: AppTest) -> AppTest:
    return at.run()


def _state(at: AppTest) -> dict:
    boxes = {s.key: s.value for s in at.sidebar.selectbox if s.key in ("region", "pref", "debut", "fin")}
    toggles = {t.key: t.value for t in at.sidebar.toggle if t.key == "reunion"}
    return boxes | toggles


def test_period_region_prefecture_and_meeting_mode_survive_page_changes(app):
    at = _run(app)
    _run(at.switch_page("pages/tendances.py"))
    _run(at.sidebar.selectbox(key="region").set_value("75"))
    _run(at.sidebar.selectbox(key="pref").set_value("87"))
    _run(at.sidebar.selectbox(key="debut").set_value("2025-03"))
    _run(at.sidebar.selectbox(key="fin").set_value("2026-06"))
    _run(at.sidebar.toggle(key="reunion").set_value(True))
    chosen = {"region": "75", "pref": "87", "debut": "2025-03", "fin": "2026-06", "reunion": True}
    assert _state(at) == chosen
    for page in ("alertes", "tendances", "conformite", "transmissions", "exports", "alertes", "vue_ensemble",
                 "referentiel", "tendances"):
        _run(at.switch_page(f"pages/{page}.py"))
        assert not at.exception, (page, at.exception)
        shown = _state(at)
        assert shown == {k: v for k, v in chosen.items() if k in shown}, page
        # The URL says the same (a copied link reproduces the view).
        params = {k: at.query_params[k][0] if isinstance(at.query_params[k], list) else at.query_params[k]
                  for k in at.query_params}
        for key, value in shown.items():
            assert params.get(key) == ("1" if value is True else value), (page, key, params)
    assert set(_state(at)) == set(chosen)


def test_a_link_with_filters_in_its_url_wins_over_the_remembered_choice(app):
    app.query_params["debut"] = "2025-01"
    at = _run(app)
    _run(at.switch_page("pages/tendances.py"))
    assert at.sidebar.selectbox(key="debut").value == "2025-01"
    _run(at.sidebar.selectbox(key="debut").set_value("2025-06"))
    at.switch_page("pages/alertes.py")
    at.query_params["debut"] = "2024-12"
    _run(at)
    assert at.sidebar.selectbox(key="debut").value == "2024-12"
