"""Administration: référentiel validation and audited edits, and the two administration pages (AppTest)."""

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from qualepref import auth, referentiel_edit, sql
from qualepref.access import Principal, Role
from qualepref.referentiel_edit import Engagement, ReferentielError, clean_indicator, parse_target
from tests.conftest import ROOT, national_scope

ADMIN = Principal("admin@interieur.gouv.fr", Role.ADMIN)


def _ref(db):
    scope = national_scope(db)
    return {name: sql.run(db, f"referentiel_{name}", scope=scope) for name in ("indicators", "modules", "engagements")}


def _indicator(**changes):
    fields = {"indicator_code": "DELAI_VISA", "indicator_label": "Délai de délivrance des visas", "module": 1,
              "engagement": None, "unit": "jours", "direction": "baisse", "target": "12,5",
              "frequency": "mensuelle", "target_source": ""}
    return clean_indicator(**(fields | changes))


@pytest.mark.parametrize(("text", "expected"), [("12,5", 12.5), ("12.5", 12.5), (" 10 % ", 10.0), ("1 234", 1234.0),
                                                 ("", None), (None, None), (7, 7.0)])
def test_parse_target(text, expected):
    assert parse_target(text) == expected


def test_target_that_is_not_a_number_is_refused():
    with pytest.raises(ReferentielError, match="n'est pas un nombre"):
        parse_target("quinze")


@pytest.mark.parametrize(("changes", "message"), [
    ({"indicator_code": "COURRIER_DELAI"}, "existe déjà"),
    ({"indicator_code": "délai visa"}, "majuscules"),
    ({"indicator_label": "Délai moyen de réponse aux courriers"}, "déjà celui d'un autre"),
    ({"module": 42}, "module 42 n'existe pas"),
    ({"engagement": 99}, "engagement 99 n'existe pas"),
    ({"direction": "stable"}, "baisse"),
    ({"direction": ""}, "demande un sens"),
    ({"unit": "%", "target": "120"}, "entre 0 et 100"),
    ({"frequency": "hebdomadaire"}, "fréquence"),
    ({"unit": " "}, "unité"),
])
def test_indicator_validation(db, changes, message):
    problems = referentiel_edit.validate_indicator(_indicator(**changes), new=True, **_ref(db))
    assert any(message.lower() in p.lower() for p in problems), problems


def test_valid_new_indicator_passes(db):
    assert referentiel_edit.validate_indicator(_indicator(), new=True, **_ref(db)) == []


def test_edits_are_written_audited_and_bump_the_data_version(db):
    version = db.data_version()
    indicators = _ref(db)["indicators"]
    row = indicators[indicators.indicator_code == "COURRIEL_DELAI"].iloc[0].to_dict()
    edited = clean_indicator(**(row | {"target": "4", "target_source": "Décision du COPIL national"}))
    referentiel_edit.save_indicator(db, edited, actor=ADMIN.user, new=False)
    referentiel_edit.save_indicator(db, _indicator(), actor=ADMIN.user, new=True)
    referentiel_edit.save_engagement(db, Engagement(2, 90, "Accueil", "Accueillir sur rendez-vous"), actor=ADMIN.user,
                                     new=True)
    with pytest.raises(ReferentielError, match="existe déjà"):
        referentiel_edit.save_engagement(db, Engagement(2, 90, None, "Doublon"), actor=ADMIN.user, new=True)
    assert db.data_version() > version
    after = _ref(db)["indicators"].set_index("indicator_code")
    assert after.loc["COURRIEL_DELAI", "target"] == 4.0 and after.loc["DELAI_VISA", "target"] == 12.5
    history = auth.audit_history(db)
    change = history[(history.entity == "indicateur") & (history.key == "COURRIEL_DELAI")].iloc[0]
    assert change.actor == ADMIN.user and change.action == "modification"
    assert '"target": 5.0' in change.before and '"target": 4.0' in change.after
    assert set(history.entity) == {"indicateur", "engagement"}
    assert history.changed_at.notna().all()


def test_a_new_synonym_is_recognised_by_the_importer(db):
    from qualepref import ingest

    scope = national_scope(db)
    content = "Site;Indicateur;Période;Valeur\n87;Courriels – délai constaté;2026-01;4,5\n".encode()
    assert not ingest.analyse(content, "a.csv", db=db, scope=scope, kind="auto").ok
    referentiel_edit.add_synonym(db, "indicateur", "COURRIEL_DELAI", "Courriels – délai constaté", actor=ADMIN.user)
    assert ingest.analyse(content, "a.csv", db=db, scope=scope, kind="auto").ok
    with pytest.raises(ReferentielError, match="désigne déjà"):
        referentiel_edit.add_synonym(db, "indicateur", "COURRIER_DELAI", "courriels – DÉLAI constaté",
                                     actor=ADMIN.user)


@pytest.fixture
def admin_app(db_path, db, monkeypatch):
    auth.create_account(db, actor="tests", email=ADMIN.user, display_name="Admin", role=Role.ADMIN,
                        password="Mot-de-passe-admin-1")
    db.close()
    monkeypatch.setenv("QUALEPREF_DB", str(db_path))

    def open_page(stem):
        at = AppTest.from_file(str(ROOT / "pages" / f"{stem}.py"), default_timeout=60)
        at.session_state["principal"] = ADMIN
        return at.run()

    return open_page


def test_accounts_page_creates_an_account_and_never_shows_a_hash(admin_app, db_path):
    at = admin_app("admin_comptes")
    assert not at.exception, at.exception
    at.text_input(key="creer_email").input("copil29@interieur.gouv.fr")
    at.text_input(key="creer_nom").input("COPIL Finistère")
    at.selectbox(key="creer_role").set_value(Role.COPIL)
    at.selectbox(key="creer_pref").set_value("29")
    at.text_input(key="creer_mdp").input("Un-mot-de-passe-solide")
    at.text_input(key="creer_mdp2").input("Un-mot-de-passe-solide")
    at.button(key="FormSubmitter:creer_compte-Créer le compte").click().run()
    assert not at.exception, at.exception
    assert any("Compte créé" in s.value for s in at.success), [e.value for e in at.error]
    table = pd.concat([d.value for d in at.dataframe], ignore_index=True)
    assert "copil29@interieur.gouv.fr" in set(table.get("email", []))
    shown = table.astype(str).to_csv() + "".join(m.value for m in at.markdown)
    assert "$argon2" not in shown and "Un-mot-de-passe-solide" not in shown
    from qualepref.db import Database
    with Database(db_path) as database:
        account = auth.get_account(database, "copil29@interieur.gouv.fr")
    assert (account.role, account.site_code) == (Role.COPIL, "29")


def test_referentiel_page_edits_a_target_with_history(admin_app, db_path):
    at = admin_app("admin_referentiel")
    assert not at.exception, at.exception
    at.selectbox(key="ind_choisi").set_value("APPELS_PERDUS").run()
    at.text_input(key="cible_APPELS_PERDUS").input("8,5")
    at.button(key="FormSubmitter:modifier_APPELS_PERDUS-Enregistrer").click().run()
    assert not at.exception, at.exception
    assert any("APPELS_PERDUS" in s.value for s in at.success), [e.value for e in at.error]
    from qualepref.db import Database
    with Database(db_path) as database:
        indicators = sql.run(database, "referentiel_indicators", scope=national_scope(database))
        history = auth.audit_history(database)
    assert indicators.set_index("indicator_code").loc["APPELS_PERDUS", "target"] == 8.5
    assert (history.key == "APPELS_PERDUS").any()
    # A wrong value is refused with a message, nothing written.
    at.text_input(key="cible_APPELS_PERDUS").input("beaucoup")
    at.button(key="FormSubmitter:modifier_APPELS_PERDUS-Enregistrer").click().run()
    assert any("n'est pas un nombre" in e.value for e in at.error)


@pytest.mark.parametrize(("fields", "message"), [
    ({"question_code": "GLOBAL"}, "existe déjà"),
    ({"question_code": "accueil rdv"}, "majuscules"),
    ({"question_label": "Globalement, êtes-vous satisfait du service rendu ?"}, "désigne déjà une autre question"),
    ({"question_label": "Satisfaction globale"}, "désigne déjà une autre question"),  # a synonym of GLOBAL
    ({"question_label": "  "}, "obligatoire"),
    ({"question_label": "=HYPERLINK(\"http://x\")"}, "formule"),
    ({"module": 42}, "module 42 n'existe pas"),
    ({"engagement": 99}, "engagement 99 n'existe pas"),
])
def test_question_validation(db, fields, message):
    scope = national_scope(db)
    question = referentiel_edit.clean_question(**({"question_code": "ACCUEIL_RDV", "module": 1, "engagement": 3,
                                                   "question_label": "Le rendez-vous était-il facile à prendre ?"}
                                                  | fields))
    ref = _ref(db)
    problems = referentiel_edit.validate_question(
        question, new=True, questions=sql.run(db, "referentiel_questions", scope=scope),
        synonyms=sql.run(db, "ingest_synonyms", scope=scope), modules=ref["modules"], engagements=ref["engagements"])
    assert any(message.lower() in p.lower() for p in problems), problems


def test_referentiel_page_adds_a_survey_question_that_the_importer_then_recognises(admin_app, db_path):
    from qualepref import ingest
    from qualepref.db import Database

    content = ("Site;Campagne;Question;Très satisfait;Satisfait;Peu satisfait;Pas du tout satisfait;Sans avis\n"
               "87;2025 en ligne;Le rendez-vous était-il facile à prendre ?;12;5;2;1;0\n").encode()
    with Database(db_path) as database:
        plan = ingest.analyse(content, "rdv.csv", db=database, scope=national_scope(database))
        assert [e.message.split(" dans")[0] for e in plan.errors] == ["Question inconnue"]
    at = admin_app("admin_referentiel")
    at.selectbox(key="question_choisie").set_value("nouvelle").run()
    at.selectbox(key="question_module").set_value(1).run()
    at.text_input(key="question_code").input("accueil_rdv")
    at.text_input(key="question_libelle").input("Le rendez-vous était-il facile à prendre ?")
    at.selectbox(key="question_engagement").set_value(3)
    at.button(key="FormSubmitter:question_nouvelle_1-Ajouter la question").click().run()
    assert not at.exception, at.exception
    assert any("ACCUEIL_RDV" in s.value for s in at.success), [e.value for e in at.error]
    # Its label edited afterwards, audited with before and after.
    at.selectbox(key="question_choisie").set_value("ACCUEIL_RDV").run()
    at.text_input(key="question_libelle").input("Le rendez-vous a-t-il été facile à prendre ?")
    at.button(key="FormSubmitter:question_ACCUEIL_RDV_1-Enregistrer").click().run()
    assert not at.exception, at.exception
    with Database(db_path) as database:
        scope = national_scope(database)
        questions = sql.run(database, "referentiel_questions", scope=scope).set_index("question_code")
        assert questions.loc["ACCUEIL_RDV", ["question_label", "module", "engagement"]].tolist() == [
            "Le rendez-vous a-t-il été facile à prendre ?", 1, 3]
        history = auth.audit_history(database, entities=("question",))
        assert history.action.tolist() == ["modification", "ajout"]
        assert '"question_label": "Le rendez-vous était-il facile à prendre ?"' in history.before.iloc[0]
        content = content.replace("était-il".encode(), "a-t-il été".encode())
        plan = ingest.analyse(content, "rdv.csv", db=database, scope=scope)
        assert plan.ok, plan.errors
        assert plan.batches["survey_results"][["question_code", "campaign", "n_tres_satisfait"]].values.tolist() == [
            ["ACCUEIL_RDV", "2025 en ligne", 12]]


def test_a_referent_proposes_notre_cible_and_the_administrator_approves_it(admin_app, db_path, monkeypatch):
    """Référentiel › Cibles en vigueur: the référent's proposal; Édition du référentiel › Cibles des sites: approval."""
    from qualepref.db import Database

    referent = Principal("ref87@interieur.gouv.fr", Role.REFERENT, site_code="87", display_name="Réf 87")
    with Database(db_path) as database:
        auth.create_account(database, actor="tests", email=referent.user, display_name="Réf 87",
                            role=Role.REFERENT, site_code="87", password="Mot-de-passe-ref-87")
    at = AppTest.from_file(str(ROOT / "pages" / "referentiel.py"), default_timeout=60)
    at.session_state["principal"] = referent
    at.run()
    assert not at.exception, at.exception
    table = at.dataframe[3].value
    assert table.columns.tolist()[:5] == ["Indicateur", "Cible nationale", "En vigueur", "Source", "Notre cible"]
    row = table.set_index("Indicateur").loc["Délai moyen de réponse aux courriers"]
    assert (row["Cible nationale"], row["En vigueur"], row["Source"], row["Notre cible"]) == (
        "≤ 15\u00a0j", "depuis toujours", "référentiel national", "= cible nationale")
    assert at.selectbox(key="cible_indicateur").value == "APPELS_DECROCHES"  # the first one with a direction
    assert "Seuil de satisfaction (%)" in at.selectbox(key="cible_indicateur").options  # a local rule too
    at.text_input(key="cible_valeur").input("95")
    at.checkbox(key="cible_stricte").check()
    at.text_input(key="cible_source").input("COPIL du 01/12/2026")
    at.button(key="FormSubmitter:proposer_cible-Proposer").click().run()
    assert not at.exception, at.exception
    assert any("Proposition enregistrée" in s.value for s in at.success), [e.value for e in at.error]

    admin = admin_app("admin_referentiel")
    assert not admin.exception, admin.exception
    with Database(db_path) as database, database.cursor() as cur:
        mine = cur.execute("select max(target_id) from targets where site_code = '87' and status = 'proposed'"
                           ).fetchone()[0]
    approve = next(b for b in admin.button if b.key == f"approuver_{mine}")
    approve.click().run()
    assert not admin.exception, admin.exception
    assert any("Cible approuvée" in s.value for s in admin.success), [e.value for e in admin.error]
    at.run()
    row = at.dataframe[3].value.set_index("Indicateur").loc["Appels décrochés"]
    assert (row["Notre cible"], row["Source "]) == ("> 95\u00a0%", "COPIL du 01/12/2026")
