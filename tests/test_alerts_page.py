"""The Alertes page as a COPIL and as the ministry read it (AppTest, demonstration data) — issue 17 §3.

A COPIL member reads, for the prefecture, the question or indicator, its
value, the target or threshold, the period, the level and the link, in that
order; the prefecture's code, name and the type come in only when the table
spans prefectures. "Enquêtes sous 75 %" shows the survey questions under the
threshold with enough answers, and keeps that choice in the URL.
"""

import pytest
from streamlit.testing.v1 import AppTest

from qualepref import alert_view, alerts, auth
from qualepref.access import Principal, Role
from qualepref.db import Database
from tests.conftest import ROOT

COPIL = Principal("copil@interieur.gouv.fr", Role.COPIL, "87")
MINISTRY = Principal("analyste@interieur.gouv.fr", Role.MINISTRY)
MAIN = ["Question ou indicateur", "Valeur", "Cible ou seuil", "Période", "Niveau", "Tendance", "Plan d'actions",
        "Action"]


@pytest.fixture
def open_alerts(demo_db_path, monkeypatch):
    with Database(demo_db_path) as db:  # accounts exist: no discovery mode
        for principal in (COPIL, MINISTRY):
            auth.create_account(db, actor="test", email=principal.user, display_name=principal.user,
                                role=principal.role, site_code=principal.site_code)
    monkeypatch.setenv("QUALEPREF_DB", str(demo_db_path))

    def start(principal: Principal, **params) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.session_state["principal"] = principal
        at.switch_page("pages/alertes.py")
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception, at.exception
        return at

    return start


def test_a_copil_reads_what_is_wrong_and_what_is_done_about_it(open_alerts):
    at = open_alerts(COPIL)
    table = at.dataframe[0].value
    assert list(table.columns) == MAIN
    assert table["Tendance"].str.startswith("tendances?pref=87").all()
    assert table["Valeur"].str.len().gt(0).all() and table["Cible ou seuil"].str.len().gt(0).all()


def test_the_ministry_also_sees_code_prefecture_and_type(open_alerts):
    at = open_alerts(MINISTRY)
    assert list(at.dataframe[0].value.columns) == ["Code", "Préfecture", "Type", *MAIN]
    # One prefecture chosen: the table is that prefecture's, read like a COPIL's.
    at = open_alerts(MINISTRY, pref="87")
    assert list(at.dataframe[0].value.columns) == MAIN


def test_surveys_under_75_percent_quick_view(open_alerts):
    at = open_alerts(MINISTRY)
    everything = at.dataframe[0].value
    at.get("button_group")[0].set_value(alert_view.SURVEYS_BELOW_75).run()
    table = at.dataframe[0].value
    assert 0 < len(table) < len(everything)
    assert set(table["Type"]) == {alerts.SURVEY}
    assert set(table["Niveau"]) <= {alerts.LEVEL_SIGNIFICANT, alerts.LEVEL_BELOW}
    assert at.query_params["alertes"] in ("enquetes", ["enquetes"])
    # The counts above the table follow the view.
    counts = {m.label: int(m.value.replace("\u202f", "")) for m in at.metric}
    assert counts[alerts.LEVEL_MISS] == 0 and sum(counts.values()) == len(table)


def test_the_detail_switch_adds_the_statistics(open_alerts):
    at = open_alerts(COPIL)
    at.toggle(key="alertes_detail").set_value(True).run()
    columns = list(at.dataframe[0].value.columns)
    assert columns[:8] == MAIN and {"Avis exprimés ou traités", "Intervalle de confiance à 95 %"} <= set(columns)
