"""The *Créer un compte* form forgets the initial password; secrets are never versioned."""

import subprocess

from streamlit.testing.v1 import AppTest

from qualepref import auth
from qualepref.access import Principal, Role
from tests.conftest import ROOT

ADMIN = Principal("admin@interieur.gouv.fr", Role.ADMIN, display_name="Admin")
INITIAL = "Mot-de-passe-initial-1"


def _page(db_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("QUALEPREF_DB", str(db_path))
    at = AppTest.from_file(str(ROOT / "pages" / "admin_comptes.py"), default_timeout=60)
    at.session_state["principal"] = ADMIN
    return at.run()


def _fill(at: AppTest, email: str, confirm: str) -> None:
    at.text_input(key="creer_email").input(email)
    at.text_input(key="creer_nom").input("COPIL Finistère")
    at.selectbox(key="creer_role").set_value(Role.COPIL)
    at.selectbox(key="creer_pref").set_value("29")
    at.text_input(key="creer_mdp").input(INITIAL)
    at.text_input(key="creer_mdp2").input(confirm)
    at.button(key="FormSubmitter:creer_compte-Créer le compte").click().run()
    assert not at.exception, at.exception


def _password_kept(at: AppTest) -> bool:
    shown = (at.text_input(key="creer_mdp").value, at.text_input(key="creer_mdp2").value)
    in_state = tuple(at.session_state[key] for key in ("creer_mdp", "creer_mdp2") if key in at.session_state)
    return any(INITIAL in value for value in shown + in_state)


def test_the_initial_password_is_not_kept_after_creation_or_refusal(db, db_path, monkeypatch):
    auth.create_account(db, actor="tests", email=ADMIN.user, display_name="Admin", role=Role.ADMIN)
    db.close()
    at = _page(db_path, monkeypatch)
    _fill(at, "copil29@interieur.gouv.fr", INITIAL)
    assert any("Compte créé" in s.value for s in at.success), [e.value for e in at.error]
    assert not _password_kept(at)
    assert at.text_input(key="creer_email").value == "", "a created account leaves an empty form"
    _fill(at, "autre29@interieur.gouv.fr", INITIAL + "x")  # refused: the two entries differ
    assert any("diffèrent" in e.value for e in at.error)
    assert not _password_kept(at)
    assert at.text_input(key="creer_email").value == "autre29@interieur.gouv.fr", "kept for the correction"


def test_the_secrets_file_is_ignored_by_git():
    ignored = subprocess.run(["git", "check-ignore", "-q", ".streamlit/secrets.toml"], cwd=ROOT)
    assert ignored.returncode == 0, ".streamlit/secrets.toml must be in .gitignore"
