"""The « Pack COPIL et exports » page with real Streamlit (AppTest) on a copy of the demo database."""

import pytest
from streamlit.testing.v1 import AppTest

from qualepref import auth
from qualepref.access import Principal, Role
from qualepref.db import Database
from tests.conftest import ROOT


@pytest.fixture
def exports_page(demo_db_path, monkeypatch):
    monkeypatch.setenv("QUALEPREF_DB", str(demo_db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    at.switch_page("pages/exports.py").run()
    assert not at.exception, at.exception
    return at


def _downloads(at) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def test_pack_needs_one_prefecture_then_builds_and_offers_the_pptx(exports_page):
    at = exports_page
    assert any("Choisissez une préfecture" in i.value for i in at.info)
    keys = {b.key for b in at.button}
    assert "build-pptx" not in keys and "build-data" in keys
    at.sidebar.selectbox(key="pref").set_value("87").run()
    assert any("Haute-Vienne (87)" in m.value for m in at.markdown)
    at.button(key="build-pptx").click().run()
    assert not at.exception and not at.error
    assert "Télécharger le pack (.pptx)" in _downloads(at)
    assert any(c.value.startswith("Préparé en ") for c in at.caption)


def test_data_exports_are_offered_as_xlsx_and_three_csv(exports_page):
    at = exports_page
    at.sidebar.selectbox(key="pref").set_value("2A").run()
    at.button(key="build-data").click().run()
    assert not at.exception and not at.error
    labels = _downloads(at)
    assert "Excel (3 feuilles)" in labels
    assert sum(label.startswith("CSV – ") for label in labels) == 3


def test_a_referent_gets_their_own_prefecture_only(demo_db_path, monkeypatch):
    referent = Principal("referent87@interieur.gouv.fr", Role.REFERENT, "87")
    with Database(demo_db_path) as db:
        auth.create_account(db, actor="tests", email=referent.user, display_name="Référente 87",
                            role=referent.role, site_code=referent.site_code)
    monkeypatch.setenv("QUALEPREF_DB", str(demo_db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["principal"] = referent
    at.run()
    at.switch_page("pages/exports.py").run()
    assert not at.exception, at.exception
    # A choice among its own sites only (its prefecture and the sub-prefectures attached), its prefecture first.
    [choice] = [s for s in at.sidebar.selectbox if s.key == "pref"]
    assert choice.value == "87" and {o.split(" – ")[0] for o in choice.options} == {"Toutes", "87", "87011", "87126"}
    assert any("Haute-Vienne (87)" in m.value for m in at.markdown)
    at.button(key="build-data").click().run()
    assert not at.exception and not at.error
    assert any("Préfecture de la Haute-Vienne" in c.value for c in at.caption)
    assert "Excel (3 feuilles)" in _downloads(at)
