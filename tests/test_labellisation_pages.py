"""AppTest of *Labellisation* (national), *Notre démarche* (a site) and *Sites* (administrator), on the
demonstration database with an account per role."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from qualepref import auth, labellisation, vocab
from qualepref.access import Principal, Role
from qualepref.db import Database
from tests.conftest import ROOT

ACCOUNTS = {
    "ministere": Principal("ministere@interieur.gouv.fr", Role.MINISTRY),
    "admin": Principal("admin@interieur.gouv.fr", Role.ADMIN),
    "referent87": Principal("referent87@interieur.gouv.fr", Role.REFERENT, "87"),
    "copil87": Principal("copil87@interieur.gouv.fr", Role.COPIL, "87"),
    "bellac": Principal("bellac@interieur.gouv.fr", Role.REFERENT, "87011"),
}


@pytest.fixture(scope="module")
def pages_db(demo_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("labellisation") / "pages.duckdb"
    shutil.copy(demo_template, path)
    with Database(path) as db:
        for p in ACCOUNTS.values():
            auth.create_account(db, actor="tests", email=p.user, display_name=p.user.split("@")[0], role=p.role,
                                site_code=p.site_code)
        db.checkpoint()
    return path


@pytest.fixture
def own_db(pages_db, tmp_path):
    """A private copy for tests that write."""
    path = tmp_path / "copie.duckdb"
    shutil.copy(pages_db, path)
    return path


def _page(path, who: str, stem: str, monkeypatch, **query) -> AppTest:
    monkeypatch.setenv("QUALEPREF_DB", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    at.session_state["principal"] = ACCOUNTS[who]
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(f"pages/{stem}.py").run()
    assert not at.exception, at.exception
    return at


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_labellisation_counts_sites_by_kind_and_lists_the_follow_ups_due(pages_db, monkeypatch):
    at = _page(pages_db, "ministere", "labellisation", monkeypatch)
    with Database(pages_db) as db, db.cursor() as cur:
        sites = cur.execute("select site_code, site_name, site_kind from v_sites").df()
        events = cur.execute("select * from label_events").df()
    expected = labellisation.statuses(sites, events, date.today())
    metrics = _metrics(at)
    by_kind = labellisation.counts_by_kind(expected).set_index("site_kind")
    assert metrics["Préfectures labellisées"] == (
        f"{by_kind.at['prefecture', 'n_labelled']} / {by_kind.at['prefecture', 'n_sites']}")
    assert metrics["Sous-préfectures labellisées"].endswith("/ 9")
    # Every site has exactly one status, and most prefectures hold the label.
    status_total = sum(int(v) for k, v in metrics.items() if k[0] in "●✖■◆▲○")
    assert status_total == len(sites) == 110
    assert by_kind.at["prefecture", "n_labelled"] >= 90
    due = at.dataframe[1].value
    assert len(due) == len(labellisation.follow_ups_due(expected, date.today())) > 0
    assert any("en retard" in d for d in due["Retard / délai"])
    assert list(due.columns[:3]) == ["Code", "Site", "Type"] and "Préfecture de la " in " ".join(due.Site)


def test_labellisation_is_national_only(pages_db, monkeypatch):
    monkeypatch.setenv("QUALEPREF_DB", str(pages_db))
    view = AppTest.from_file(str(ROOT / "pages" / "labellisation.py"), default_timeout=60)
    view.session_state["principal"] = ACCOUNTS["referent87"]
    view.run()
    assert any("réservée" in e.value for e in view.error) and not view.get("dataframe")


def test_demarche_of_a_prefecture_with_its_sub_prefectures(pages_db, monkeypatch):
    at = _page(pages_db, "referent87", "demarche", monkeypatch)
    assert at.subheader[0].value.replace("\\", "") == "Préfecture de la Haute-Vienne"
    pref = at.sidebar.selectbox(key="pref")
    assert {"87", "87011", "87126"} <= set(pref.options) or any("87011" in o for o in pref.options)
    headers = [s.value for s in at.subheader]
    assert {"Périmètre : modules retenus", "Étapes de la démarche", "Prêt pour l'audit ?", "Constats d'audit",
            "Enregistrer"} <= set(headers)
    checklist = [m.value for m in at.markdown if "**" in m.value and "—" in m.value]
    assert len(checklist) == 5
    assert _metrics(at)["Statut"].split(" ", 1)[1] in {t.label for t in vocab.LABEL_STATUSES}


def test_demarche_of_a_site_chosen_by_the_ministry_links_only_to_its_own_pages(own_db, monkeypatch):
    # No mystery visit: the checklist sends to the Import page, which is the référent's, not the ministry's.
    with Database(own_db) as db, db.transaction() as cur:
        cur.execute("delete from label_events where site_code = '87' and event_kind = 'enquete_mystere'")
        cur.execute("delete from compliance_assessments where site_code = '87' and assessment_type = 'enquete_mystere'")
    at = _page(own_db, "ministere", "demarche", monkeypatch)
    assert any("Choisissez un site" in i.value for i in at.info)
    at.sidebar.selectbox(key="pref").set_value("87").run()
    assert not at.exception, at.exception  # the Import page is not the ministry's: no link to it
    assert at.subheader[0].value.replace("\\", "") == "Préfecture de la Haute-Vienne"
    assert "Enregistrer" not in [s.value for s in at.subheader]
    assert any("Par le référent qualité" in c.value for c in at.caption)


def test_demarche_for_the_copil_is_read_only_and_a_sub_prefecture_sees_only_itself(pages_db, monkeypatch):
    copil = _page(pages_db, "copil87", "demarche", monkeypatch)
    assert "Enregistrer" not in [s.value for s in copil.subheader] and not copil.get("form")
    bellac = _page(pages_db, "bellac", "demarche", monkeypatch)
    assert bellac.subheader[0].value.replace("\\", "") == "Sous-préfecture de Bellac"
    text = " ".join(str(e.value) for e in bellac.markdown) + " ".join(str(e.value) for e in bellac.caption)
    assert "Haute-Vienne" not in text and "Rochechouart" not in text


def test_the_referent_records_a_stage_and_a_wrong_one_is_refused(own_db, monkeypatch):
    at = _page(own_db, "referent87", "demarche", monkeypatch)
    with Database(own_db) as db, db.cursor() as cur:
        n_before = cur.execute("select count(*) from label_events where site_code = '87'").fetchone()[0]
    planned = date.today() + timedelta(days=40)
    at.selectbox(key="dem_kind").set_value("engagement")
    at.date_input(key="dem_on").set_value(planned)
    submit = next(b for b in at.button if b.label == "Enregistrer l'étape")
    submit.click().run()
    assert any("programmés" in e.value for e in at.error)  # an engagement cannot be in the future
    at.selectbox(key="dem_kind").set_value("audit_externe")
    at.date_input(key="dem_on").set_value(planned)
    at.text_input(key="dem_organisme").set_value("AFNOR Certification")
    next(b for b in at.button if b.label == "Enregistrer l'étape").click().run()
    assert not at.exception and any("enregistrée" in s.value for s in at.success), [e.value for e in at.error]
    with Database(own_db) as db, db.cursor() as cur:
        assert cur.execute("select count(*) from label_events where site_code = '87'").fetchone()[0] == n_before + 1
        assert cur.execute("select organisme, result from label_events where site_code = '87' and event_date = ?",
                           [planned]).fetchone() == ("AFNOR Certification", None)
        assert cur.execute("select actor, entity from audit_log where entity = 'etape'").fetchall() == [
            (ACCOUNTS["referent87"].user, "etape")]
    assert "Audit externe programmé" in _metrics(at)["Statut"] or _metrics(at)["Statut"].endswith("Labellisé")


def test_admin_adds_a_sub_prefecture_on_the_sites_page(own_db, monkeypatch):
    at = _page(own_db, "admin", "admin_sites", monkeypatch)
    assert len(at.dataframe[0].value) == 101 + 9 + 6  # every site, the 6 inactive overseas collectivités too
    new = "__nouveau__"
    at.text_input(key=f"sites_code_{new}").set_value("76351")
    at.selectbox(key=f"sites_kind_{new}").set_value("sous_prefecture")
    at.text_input(key=f"sites_name_{new}").set_value("Le Havre")
    at.selectbox(key=f"sites_tncc_{new}").set_value(2)
    at.selectbox(key=f"sites_parent_{new}").set_value("76")
    at.selectbox(key=f"sites_region_{new}").set_value("28")
    at.text_input(key=f"sites_city_{new}").set_value("Le Havre")
    next(b for b in at.button if b.label == "Enregistrer").click().run()
    assert not at.exception and any("création" in s.value for s in at.success), [e.value for e in at.error]
    with Database(own_db) as db:
        history = auth.audit_history(db, entities=("site",))
        assert list(zip(history.action, history.key, strict=True)) == [("création", "76351")]
        row = db.cursor().execute("select site_kind, parent_code, tncc from sites where site_code = '76351'").fetchone()
    assert row == ("sous_prefecture", "76", 2)


@pytest.mark.parametrize("who", [Principal("copil87@interieur.gouv.fr", Role.COPIL, "87"),
                                 Principal("visiteur", Role.REFERENT, "87", demo=True)])
def test_a_reading_or_discovery_principal_cannot_record_a_stage_even_with_a_writable_scope(own_db, who):
    """The data layer refuses the author itself, whatever scope a page hands it (the log names a writer)."""
    from qualepref import labelling_store
    from qualepref.access import ScopeError, system_scope

    row = {"site_code": "87", "event_kind": "audit_interne", "event_date": date.today(), "organisme": None,
           "report_date": None, "result": None, "referentiel_version": None, "valid_until": None, "comment": None,
           "next_due": None}
    with Database(own_db) as db:
        with db.cursor() as cur:
            before = cur.execute("select count(*) from label_events").fetchone()[0]
        with pytest.raises(ScopeError):
            labelling_store.save(db, "label_events", row, scope=system_scope(["87"]), actor=who)
        with db.cursor() as cur:
            assert cur.execute("select count(*) from label_events").fetchone()[0] == before
