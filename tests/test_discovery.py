"""Discovery mode ("mode découverte"): every profile viewable on the demonstration data, nothing writable.

It is offered only while the database holds demonstration data and nothing of
its own (no real row, no account, no change-log line); a discovery visitor's
scope can preview an import but never write; référentiel edits, account changes
and the removal of the demonstration are refused; that removal, by a signed-in
administrator or the command line, is written to the change log.
"""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from qualepref import auth, demo, ingest, referentiel_edit, store, ui
from qualepref.access import DISCOVERY_READ_ONLY, Principal, Role, ScopeError
from qualepref.referentiel_edit import Engagement
from tests.conftest import ROOT, national_scope, table_contents

ROLES = (Role.ADMIN, Role.MINISTRY, Role.REFERENT, Role.COPIL)
CODES = {"29", "87", "2A"}
CSV_87 = "Site;Indicateur;Période;Valeur\n87;COURRIER_DELAI;janv. 2020;12,5\n".encode()
ADMIN = Principal("admin@interieur.gouv.fr", Role.ADMIN, display_name="Admin")


def visitor(role: Role, site_code: str | None = None) -> Principal:
    if role in (Role.REFERENT, Role.COPIL):
        site_code = site_code or "87"
    return Principal("decouverte", role, site_code, display_name="Découverte", demo=True)


@pytest.mark.parametrize("role", ROLES)
def test_a_discovery_scope_can_never_write(role):
    scope = visitor(role).scope(CODES)
    assert not scope.can_write and scope.discovery
    assert scope.can_preview == (role in (Role.ADMIN, Role.REFERENT))
    with pytest.raises(ScopeError, match="Mode découverte"):
        scope.require(scope.site_codes, write=True)
    # Narrowing keeps it read-only.
    assert not scope.narrowed({"87"}).can_write
    # The same roles signed in keep their rights.
    signed_in = Principal("x@interieur.gouv.fr", role, "87" if role in (Role.REFERENT, Role.COPIL) else None)
    assert signed_in.scope(CODES).can_write == (role in (Role.ADMIN, Role.REFERENT))


def _real_row_frame() -> pd.DataFrame:
    return pd.DataFrame({"site_code": ["87"], "indicator_code": ["COURRIER_DELAI"],
                         "period_start": pd.to_datetime(["2020-01-01"]), "period_kind": ["month"],
                         "value": [12.5], "comment": [None]})


@pytest.mark.parametrize("role", (Role.ADMIN, Role.REFERENT))
def test_an_import_is_previewed_but_never_written_in_discovery(demo_db, role):
    codes = national_scope(demo_db).site_codes
    scope = visitor(role).scope(codes)
    before = table_contents(demo_db)
    plan = ingest.analyse(CSV_87, "tableau.csv", db=demo_db, scope=scope)
    assert plan.ok and plan.total.new == 1, [e.message for e in plan.errors]
    with pytest.raises(ScopeError) as refused:
        ingest.commit(plan, db=demo_db, scope=scope, uploaded_by="decouverte")
    assert str(refused.value) == DISCOVERY_READ_ONLY
    with pytest.raises(ScopeError), demo_db.transaction() as cur:  # the data layer, without the importer
        store.write(cur, "indicator_values", _real_row_frame(), scope=scope, upload_id=store.next_upload_id(cur))
    assert table_contents(demo_db) == before


def test_a_discovery_visitor_cannot_change_the_referentiel_accounts_or_the_demonstration(demo_db):
    before = table_contents(demo_db)
    admin = visitor(Role.ADMIN)
    indicator = referentiel_edit.clean_indicator(
        indicator_code="APPELS_PERDUS", indicator_label="Taux d'appels perdus", module=1, engagement=None,
        unit="%", direction="baisse", target="1", frequency="mensuelle", target_source=None)
    attempts = [
        lambda: referentiel_edit.save_indicator(demo_db, indicator, actor=admin, new=False),
        lambda: referentiel_edit.save_engagement(demo_db, Engagement(1, 99, None, "Nouvel engagement"), actor=admin,
                                                 new=True),
        lambda: referentiel_edit.add_synonym(demo_db, "indicateur", "APPELS_PERDUS", "appels ratés", actor=admin),
        lambda: auth.create_account(demo_db, actor=admin, email="pirate@x.fr", display_name="P", role=Role.ADMIN,
                                    password="Un-mot-de-passe-solide"),
        lambda: demo.remove(demo_db, actor=admin),
    ]
    for attempt in attempts:
        with pytest.raises(ScopeError, match="Mode découverte"):
            attempt()
    # A signed-in role other than the administrator is refused too.
    with pytest.raises(ScopeError, match="Administrateur"):
        referentiel_edit.save_indicator(demo_db, indicator, new=False,
                                        actor=Principal("r@x.fr", Role.REFERENT, "87"))
    assert table_contents(demo_db) == before


def test_discovery_needs_demonstration_data_and_nothing_else(demo_db, db):
    assert demo.discovery_allowed(demo_db)
    assert not demo.discovery_allowed(db), "no demonstration data: nothing to discover"
    # One real value (loaded from the command line, say) is enough to switch it off.
    with demo_db.transaction() as cur:
        store.write(cur, "indicator_values", _real_row_frame(), scope=national_scope(demo_db),
                    upload_id=store.next_upload_id(cur))
    assert not demo.discovery_allowed(demo_db)


def test_one_account_switches_discovery_off(demo_db):
    auth.create_account(demo_db, actor="tests", email="chef@interieur.gouv.fr", display_name="Chef", role=Role.ADMIN)
    assert not demo.discovery_allowed(demo_db)


def test_removing_the_demonstration_is_written_to_the_change_log(demo_db):
    counts = demo.demo_counts(demo_db)
    removed = demo.remove(demo_db, actor=ADMIN)
    assert removed == {k: int(v) for k, v in counts.items() if k.startswith("n_demo")}
    [line] = auth.audit_history(demo_db, entities=(demo.AUDIT_ENTITY,)).itertuples()
    assert (line.actor, line.action) == (ADMIN.user, "suppression")
    assert f'"valeurs_indicateurs": {int(counts["n_demo_indicator_values"])}' in line.before
    assert '"chargements": 3' in line.before and '"valeurs_indicateurs": 0' in line.after
    assert pd.Timestamp(line.changed_at) <= pd.Timestamp(auth.utcnow())
    assert (auth.audit_history(demo_db).entity == demo.AUDIT_ENTITY).any(), "in the change log's default view"


# -- the app, real Streamlit -----------------------------------------------------------------------
@pytest.fixture
def demo_app(demo_db_path, monkeypatch):
    monkeypatch.setenv("QUALEPREF_DB", str(demo_db_path))
    ui._discovery_mode.clear()
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def test_fresh_installation_opens_on_the_demonstration_in_discovery_mode(tmp_path, monkeypatch):
    """`make run` on a fresh clone: empty database → demonstration loaded → discovery selector."""
    monkeypatch.setenv("QUALEPREF_DB", str(tmp_path / "neuve.duckdb"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception, at.exception
    assert at.sidebar.selectbox(key="decouverte_role").value == Role.ADMIN
    assert any("Données de démonstration" in w.value for w in at.warning)
    assert at.title[0].value == "Vue d'ensemble"


def test_discovery_import_page_previews_and_refuses_confirmation(demo_app, demo_db_path):
    at = demo_app.run()
    at.sidebar.selectbox(key="decouverte_role").set_value(Role.REFERENT).run()
    at.switch_page("pages/import_donnees.py").run()
    assert not at.exception, at.exception
    at.file_uploader(key="import_files").upload("tableau.csv", CSV_87, "text/csv").run()
    assert not at.exception, at.exception
    assert {m.label: m.value for m in at.metric}["Nouvelles"] == "1", "the preview runs"
    [button] = [b for b in at.button if b.label == "Confirmer l'import"]
    assert button.disabled
    assert any(i.value == DISCOVERY_READ_ONLY for i in at.info)


def test_discovery_referentiel_editor_refuses_and_writes_nothing(demo_app, demo_db_path):
    at = demo_app.run()
    at.switch_page("pages/admin_referentiel.py").run()
    assert any(i.value == DISCOVERY_READ_ONLY for i in at.info)
    from qualepref.db import Database
    with Database(demo_db_path) as database:
        before = table_contents(database)
    at.selectbox(key="ind_choisi").set_value("APPELS_PERDUS").run()
    at.text_input(key="cible_APPELS_PERDUS").input("1")
    at.button(key="FormSubmitter:modifier_APPELS_PERDUS-Enregistrer").click().run()
    assert not at.exception, at.exception
    assert any("Mode découverte" in e.value for e in at.error)
    with Database(demo_db_path) as database:
        assert table_contents(database) == before


def test_discovery_demonstration_page_offers_no_removal(demo_app):
    at = demo_app.run()
    at.switch_page("pages/demonstration.py").run()
    assert not at.exception, at.exception
    assert not at.button and not at.checkbox
    assert any(i.value == DISCOVERY_READ_ONLY for i in at.info)


def test_one_real_row_ends_discovery_in_the_app(demo_app, demo_db_path):
    from qualepref.db import Database
    with Database(demo_db_path) as database, database.transaction() as cur:
        store.write(cur, "indicator_values", _real_row_frame(), scope=national_scope(database),
                    upload_id=store.next_upload_id(cur))
    at = demo_app.run()
    assert not at.exception, at.exception
    assert not [s for s in at.sidebar.selectbox if s.key == "decouverte_role"]
    assert "principal" not in at.session_state
    assert any("Premier démarrage" in i.value for i in at.info), "the sign-in page says how to create an account"


def test_signed_in_administrator_removes_the_demonstration_with_a_trace(demo_db_path, monkeypatch):
    from qualepref.db import Database
    with Database(demo_db_path) as database:
        auth.create_account(database, actor="tests", email=ADMIN.user, display_name="Admin", role=Role.ADMIN)
    monkeypatch.setenv("QUALEPREF_DB", str(demo_db_path))
    at = AppTest.from_file(str(ROOT / "pages" / "demonstration.py"), default_timeout=60)
    at.session_state["principal"] = ADMIN
    at.run()
    at.checkbox[0].check().run()
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert any("lignes de démonstration supprimées" in s.value for s in at.success)
    history = at.dataframe[-1].value
    assert list(history.actor) == [ADMIN.user] and list(history.action) == ["suppression"]


def test_pages_pass_the_signed_in_principal_to_every_administrative_write():
    """`actor=` must be the Principal (checked for discovery and role), never a bare name a page made up."""
    import ast

    offenders = []
    for path in sorted((ROOT / "pages").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                for keyword in node.keywords:
                    if keyword.arg == "actor" and not isinstance(keyword.value, ast.Name):
                        offenders.append(f"{path.name}:{node.lineno}: actor={ast.unparse(keyword.value)}")
    assert not offenders, offenders


def test_a_discovery_visitor_cannot_edit_a_survey_question(demo_db):
    before = table_contents(demo_db)
    question = referentiel_edit.clean_question(question_code="NOUVELLE_QUESTION", question_label="Une question",
                                               module=1, engagement=None)
    with pytest.raises(ScopeError, match="Mode découverte"):
        referentiel_edit.save_question(demo_db, question, actor=visitor(Role.ADMIN), new=True)
    assert table_contents(demo_db) == before
