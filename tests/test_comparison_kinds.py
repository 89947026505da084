"""Comparaison nationale compares prefectures with prefectures: a sub-prefecture is never ranked among them,
and is told so in words, not « Pas de valeur » (audit, round 2: `$compared_kind`)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from qualepref import auth
from qualepref.access import Principal, Role
from qualepref.db import Database
from tests.conftest import ROOT

MINISTRY = Principal("ministere@interieur.gouv.fr", Role.MINISTRY)
BELLAC = Principal("bellac@interieur.gouv.fr", Role.REFERENT, "87011")  # a sub-prefecture with its own référent


@pytest.fixture
def kinds_db(demo_db_path, monkeypatch):
    with Database(demo_db_path) as db:
        for p in (MINISTRY, BELLAC):
            auth.create_account(db, actor="tests", email=p.user, display_name="x", role=p.role, site_code=p.site_code)
        with db.cursor() as cur:
            kinds = dict(cur.execute("select site_code, site_kind from sites where active").fetchall())
            reporting = {r[0] for r in cur.execute(
                "select distinct v.site_code from v_indicator_values as v join sites as s using (site_code) "
                "where s.site_kind = 'sous_prefecture' and v.indicator_code = 'COURRIER_DELAI'").fetchall()}
    assert reporting, "no sub-prefecture reports the indicator: the test would prove nothing"
    monkeypatch.setenv("QUALEPREF_DB", str(demo_db_path))
    return kinds


def _open(principal, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["principal"] = principal
    at.switch_page("pages/comparaison.py")
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _codes(at) -> set[str]:
    return {str(c) for d in at.main.dataframe if "Code" in d.value.columns for c in d.value["Code"]}


def test_national_rankings_map_and_distribution_hold_prefectures_only(kinds_db):
    prefectures = {c for c, k in kinds_db.items() if k == "prefecture"}
    at = _open(MINISTRY, indicateur="COURRIER_DELAI")
    at.radio(key="cmp_mode").set_value("moyenne").run()
    codes = _codes(at)
    assert codes and codes <= prefectures, sorted(codes - prefectures)
    ranking = next(d.value for d in at.main.dataframe if "Rang" in d.value.columns)
    assert len(ranking) == len(prefectures)  # over the period every prefecture has a mean; no sub-prefecture
    at.radio(key="cmp_sujet").set_value("Satisfaction des usagers").run()
    assert not at.exception
    codes = _codes(at)
    assert codes and codes <= prefectures, sorted(codes - prefectures)


def test_a_sub_prefecture_chosen_by_the_ministry_is_said_not_ranked(kinds_db):
    at = _open(MINISTRY, indicateur="COURRIER_DELAI", pref="87011")
    assert not any(m.label.startswith("Rang de 87011") for m in at.main.metric)
    assert any("sous-préfecture" in c.value and "préfectures" in c.value for c in at.main.caption), \
        [c.value for c in at.main.caption]


def test_a_sub_prefecture_s_referent_is_told_why_it_is_not_ranked(kinds_db):
    at = _open(BELLAC, indicateur="COURRIER_DELAI")
    metrics = {m.label: m for m in at.main.metric}
    position = metrics["Position nationale"]
    assert position.value == "non classée"
    assert "sous-préfecture" in position.help.lower() and "Pas de valeur" not in position.help
    captions = " ".join(c.value for c in at.main.caption)
    assert "autres que la vôtre" not in captions  # 87011 is not one of the prefectures compared


def test_a_sub_prefecture_is_never_called_a_prefecture_when_signed_in(kinds_db):
    """« Connecté : … (Référent qualité, Sous-préfecture de Bellac) », not « préfecture 87011 » (the sidebar's
    account box says the same through ui.site_title)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["principal"] = BELLAC
    at.switch_page("pages/connexion.py").run()
    assert not at.exception, at.exception
    said = [m.value for m in at.success]
    assert any("Sous-préfecture de Bellac" in m for m in said), said
    assert not any("préfecture 87011" in m for m in said)


def test_a_sub_prefecture_reads_its_own_figure_beside_the_prefectures_without_a_rank(kinds_db):
    at = _open(BELLAC, indicateur="COURRIER_DELAI")
    at.radio(key="cmp_mode").set_value("moyenne").run()
    metrics = {m.label: m.value for m in at.main.metric}
    assert metrics["Votre valeur"].endswith("\u00a0j") and metrics["Position nationale"] == "non classée"
    at.radio(key="cmp_sujet").set_value("Satisfaction des usagers").run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.main.metric}
    assert metrics["Votre valeur"].endswith("\u00a0%") and metrics["Position nationale"] == "non classée"
