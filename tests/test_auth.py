"""Local accounts: argon2 hashes, wrong password, lock-out, nothing secret in logs; OIDC mapping; CLI."""

import logging
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from qualepref import auth
from qualepref.access import Role
from qualepref.db import Database
from tests.conftest import ROOT, table_contents

PASSWORD = "Ceci-est-un-secret-42"


@pytest.fixture
def accounts_db(db):
    auth.create_account(db, actor="tests", email="Referent87@Interieur.gouv.fr", display_name="Réf 87",
                        role=Role.REFERENT, site_code="87", password=PASSWORD)
    return db


def test_hash_is_argon2_and_never_the_password(accounts_db):
    with accounts_db.cursor() as cur:
        stored = cur.execute("select password_hash from accounts").fetchone()[0]
    assert stored != PASSWORD and PASSWORD not in stored and stored.startswith("$argon2id$")
    assert auth.hash_password(PASSWORD) != auth.hash_password(PASSWORD)  # salted
    assert "password_hash" not in auth.list_accounts(accounts_db).columns


def test_sign_in_with_the_right_password_gives_the_account_scope(accounts_db):
    principal = auth.authenticate(accounts_db, "  referent87@interieur.GOUV.fr ", PASSWORD)
    assert (principal.user, principal.role, principal.site_code) == ("referent87@interieur.gouv.fr", Role.REFERENT,
                                                                     "87")
    assert principal.scope({"29", "87"}).site_codes == {"87"}


def test_sign_in_bookkeeping_keeps_the_data_version(accounts_db):
    # The version keys every cached query: a sign-in must not empty everyone's caches.
    version = accounts_db.data_version()
    auth.authenticate(accounts_db, "referent87@interieur.gouv.fr", PASSWORD)
    with pytest.raises(auth.AuthError):
        auth.authenticate(accounts_db, "referent87@interieur.gouv.fr", "mauvais")
    assert accounts_db.data_version() == version
    assert auth.get_account(accounts_db, "referent87@interieur.gouv.fr").failed_attempts == 1
    auth.create_account(accounts_db, actor="tests", email="copil87@interieur.gouv.fr", display_name="COPIL 87",
                        role=Role.COPIL, site_code="87", password=PASSWORD)
    assert accounts_db.data_version() == version + 1  # a new account does change what pages show


def test_wrong_password_and_unknown_account_get_the_same_answer(accounts_db):
    with pytest.raises(auth.AuthError) as wrong:
        auth.authenticate(accounts_db, "referent87@interieur.gouv.fr", PASSWORD + "x")
    with pytest.raises(auth.AuthError) as unknown:
        auth.authenticate(accounts_db, "personne@interieur.gouv.fr", PASSWORD)
    assert str(wrong.value) == str(unknown.value) == auth.WRONG_CREDENTIALS
    assert auth.get_account(accounts_db, "referent87@interieur.gouv.fr").failed_attempts == 1


def test_lock_out_after_repeated_failures_then_release(accounts_db):
    email = "referent87@interieur.gouv.fr"
    now = auth.utcnow()
    for attempt in range(auth.MAX_FAILURES):
        with pytest.raises(auth.AuthError) as refused:
            auth.authenticate(accounts_db, email, f"mauvais-{attempt}", now=now)
    assert "verrouillé" in str(refused.value)
    # Locked: even the right password is refused during the lock-out.
    with pytest.raises(auth.AuthError, match="verrouillé"):
        auth.authenticate(accounts_db, email, PASSWORD, now=now + auth.LOCKOUT - timedelta(minutes=1))
    principal = auth.authenticate(accounts_db, email, PASSWORD, now=now + auth.LOCKOUT + timedelta(minutes=1))
    assert principal.role == Role.REFERENT
    account = auth.get_account(accounts_db, email)
    assert account.failed_attempts == 0 and account.locked_until is None
    actions = auth.audit_history(accounts_db).action.tolist()
    assert "verrouillage" in actions


def test_an_administrator_reset_lifts_the_lock(accounts_db):
    email = "referent87@interieur.gouv.fr"
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(auth.AuthError):
            auth.authenticate(accounts_db, email, "mauvais")
    auth.set_password(accounts_db, actor="admin@x.fr", email=email, password="Un-autre-secret-99")
    assert auth.authenticate(accounts_db, email, "Un-autre-secret-99").site_code == "87"


def test_deactivated_account_cannot_sign_in_and_loses_its_session(accounts_db):
    email = "referent87@interieur.gouv.fr"
    principal = auth.authenticate(accounts_db, email, PASSWORD)
    auth.update_account(accounts_db, actor="admin@x.fr", email=email, display_name="Réf 87", role=Role.REFERENT,
                        site_code="87", active=False)
    with pytest.raises(auth.AuthError):
        auth.authenticate(accounts_db, email, PASSWORD)
    assert auth.refresh(accounts_db, principal) is None
    history = auth.audit_history(accounts_db, entities=("compte",))
    change = history[history.action == "désactivation"].iloc[0]
    assert '"actif": true' in change.before and '"actif": false' in change.after and change.actor == "admin@x.fr"


def test_account_validation(db):
    with pytest.raises(auth.AccountError, match="préfecture"):
        auth.create_account(db, actor="t", email="c@x.fr", display_name="C", role=Role.COPIL)
    with pytest.raises(auth.AccountError, match="national"):
        auth.create_account(db, actor="t", email="m@x.fr", display_name="M", role=Role.MINISTRY, site_code="87")
    with pytest.raises(auth.AccountError, match="Préfecture inconnue"):
        auth.create_account(db, actor="t", email="r@x.fr", display_name="R", role=Role.REFERENT, site_code="99")
    with pytest.raises(auth.AccountError, match="Adresse"):
        auth.create_account(db, actor="t", email="pas-une-adresse", display_name="R", role=Role.ADMIN)
    with pytest.raises(auth.AccountError, match="12 caractères") as short:
        auth.create_account(db, actor="t", email="a@x.fr", display_name="A", role=Role.ADMIN, password="court")
    assert "court" not in str(short.value)
    auth.create_account(db, actor="t", email="a@x.fr", display_name="A", role=Role.ADMIN)
    with pytest.raises(auth.AccountError, match="existe déjà"):
        auth.create_account(db, actor="t", email="A@X.FR", display_name="A", role=Role.ADMIN)
    with pytest.raises(auth.AccountError, match="propres droits"):
        auth.update_account(db, actor="a@x.fr", email="a@x.fr", display_name="A", role=Role.COPIL,
                            site_code="87", active=True)


def test_no_password_in_logs_exceptions_or_tables(db, caplog):
    caplog.set_level(logging.DEBUG)
    auth.create_account(db, actor="tests", email="admin@interieur.gouv.fr", display_name="Admin", role=Role.ADMIN,
                        password=PASSWORD)
    auth.authenticate(db, "admin@interieur.gouv.fr", PASSWORD)
    messages = []
    for attempt in (PASSWORD + "!", PASSWORD.upper()):
        with pytest.raises(auth.AuthError) as refused:
            auth.authenticate(db, "admin@interieur.gouv.fr", attempt)
        messages.append(str(refused.value) + repr(refused.value.args))
    auth.set_password(db, actor="tests", email="admin@interieur.gouv.fr", password=PASSWORD + "-neuf")
    assert caplog.records, "sign-ins are logged (without secrets)"
    everything = caplog.text + "".join(messages) + repr(table_contents(db))
    for secret in (PASSWORD, PASSWORD + "!", PASSWORD.upper(), PASSWORD + "-neuf"):
        assert secret not in everything


def test_oidc_identity_maps_to_the_accounts_table(accounts_db):
    principal = auth.principal_for_email(accounts_db, "REFERENT87@interieur.gouv.fr")
    assert principal.role == Role.REFERENT and principal.site_code == "87"
    with pytest.raises(auth.AuthError, match="aucun compte actif"):
        auth.principal_for_email(accounts_db, "inconnu@interieur.gouv.fr")


def _oidc_app(path, monkeypatch, email, verified=True):
    monkeypatch.setenv("QUALEPREF_DB", str(path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                          "client_id": "qualepref", "client_secret": "s",
                          "server_metadata_url": "https://example.invalid/.well-known/openid-configuration"}
    at.user = {"email": email, "email_verified": verified, "iss": "https://idp.example.gouv.fr",
               "is_logged_in": True}
    return at.run()


def test_oidc_sign_in_in_the_app(db_path, accounts_db, monkeypatch):
    accounts_db.close()
    known = _oidc_app(db_path, monkeypatch, "referent87@interieur.gouv.fr")
    assert not known.exception, known.exception
    assert known.session_state["principal"].site_code == "87"
    assert known.title[0].value == "Vue d'ensemble"
    unknown = _oidc_app(db_path, monkeypatch, "inconnu@interieur.gouv.fr")
    assert not unknown.exception, unknown.exception
    assert "principal" not in unknown.session_state
    assert any("aucun compte actif" in e.value for e in unknown.error)
    unverified = _oidc_app(db_path, monkeypatch, "referent87@interieur.gouv.fr", verified=False)
    assert not unverified.exception, unverified.exception
    assert "principal" not in unverified.session_state
    assert any("pas confirmé votre adresse" in e.value for e in unverified.error)


def test_sign_in_form(db_path, accounts_db, monkeypatch):
    accounts_db.close()
    monkeypatch.setenv("QUALEPREF_DB", str(db_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.text_input(key="connexion_email").input("referent87@interieur.gouv.fr")
    at.text_input(key="connexion_mot_de_passe").input("mauvais mot de passe")
    at.button[0].click().run()
    assert any(auth.WRONG_CREDENTIALS in e.value for e in at.error)
    assert "principal" not in at.session_state
    at.text_input(key="connexion_email").input("referent87@interieur.gouv.fr")
    at.text_input(key="connexion_mot_de_passe").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.session_state["principal"].user == "referent87@interieur.gouv.fr"


def test_first_administrator_from_the_command_line(db_path):
    env = {**os.environ, "QUALEPREF_DB": str(db_path)}
    command = [sys.executable, "-m", "qualepref", "compte", "creer", "--email", "chef@interieur.gouv.fr",
               "--role", "admin", "--nom", "Chef de projet"]
    done = subprocess.run(command, input=PASSWORD + "\n", capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    no_argv_password = subprocess.run([*command, "--mot-de-passe", PASSWORD], capture_output=True, text=True,
                                      env=env, cwd=ROOT, timeout=120)
    assert no_argv_password.returncode == 2  # there is no such option: a password never goes on the command line
    with Database(db_path) as database:
        assert auth.authenticate(database, "chef@interieur.gouv.fr", PASSWORD).role == Role.ADMIN
