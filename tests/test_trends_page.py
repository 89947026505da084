"""Tendances folds the indicators a prefecture does not report (AppTest) — issue 17 §3.

Six empty full-width charts told a COPIL nothing: an indicator without any
value of the scope over the period is named in one folded list instead.
"""

from streamlit.testing.v1 import AppTest

from qualepref import auth
from qualepref.access import Principal, Role
from qualepref.db import Database
from tests.conftest import ROOT


def test_indicators_without_data_are_folded_into_one_list(demo_db_path, monkeypatch):
    with Database(demo_db_path) as db, db.cursor() as cur:
        # Haute-Vienne never reported two indicators of module 1.
        dropped = [r[0] for r in cur.execute(
            "select indicator_code from indicators where module = 1 order by indicator_code limit 2").fetchall()]
        labels = {r[0] for r in cur.execute("select indicator_label from indicators where indicator_code in "
                                            "(select unnest($codes))", {"codes": dropped}).fetchall()}
        n_module = cur.execute("select count(*) from indicators where module = 1").fetchone()[0]
        cur.execute("delete from indicator_values where site_code = '87' and indicator_code in "
                    "(select unnest($codes))", {"codes": dropped})
        auth.create_account(db, actor="test", email="copil@interieur.gouv.fr", display_name="Claude",
                            role=Role.COPIL, site_code="87")
    monkeypatch.setenv("QUALEPREF_DB", str(demo_db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["principal"] = Principal("copil@interieur.gouv.fr", Role.COPIL, "87")
    at.switch_page("pages/tendances.py")
    at.query_params["module"] = "1"
    at.run()
    assert not at.exception, at.exception
    folded = [e for e in at.expander if e.label.startswith("Indicateurs sans donnée")]
    assert [e.label for e in folded] == ["Indicateurs sans donnée (2)"]
    listed = folded[0].markdown[0].value
    assert all(label in listed for label in labels)
    # Charts (one data table each) only for the indicators with values.
    assert len(at.get("plotly_chart")) == n_module - 2
    # One indicator asked for by name is drawn even without data, with its explanation.
    at.sidebar.selectbox(key="indicateur").set_value(dropped[0]).run()
    assert len(at.get("plotly_chart")) == 1 and not [e for e in at.expander if "sans donnée" in e.label]
    assert any("aucune valeur transmise" in c.value for c in at.caption)
