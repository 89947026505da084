"""The operator's event log: one logfmt line per event, journald-friendly, never a password, never forged."""

from __future__ import annotations

import pytest

from qualepref import auth, events
from qualepref.access import Role

PASSWORD = "un-mot-de-passe-solide"


def lines(captured: str, event: str) -> list[str]:
    return [line for line in captured.splitlines() if line.startswith(f"event={event} ")]


def test_values_are_quoted_and_a_typed_newline_cannot_forge_a_line():
    text = events.line("sign_in", user='x@y.fr\nevent=sign_in outcome=success', file='a "b"=c', n=2, ok=False)
    assert "\n" not in text
    assert text == ('event=sign_in user="x@y.fr\\nevent=sign_in outcome=success" file="a \\"b\\"=c" n=2 ok=false')
    assert events.line("export", file="pack-87.pptx", seconds=1.5, site=None) == (
        'event=export file=pack-87.pptx seconds=1.5 site=""')


def test_under_systemd_the_line_carries_its_priority(capsys, monkeypatch):
    monkeypatch.setenv("JOURNAL_STREAM", "8:1234")
    events.emit("import", outcome="success")
    events.emit("import", outcome="failure", level=events.logging.WARNING)
    assert capsys.readouterr().err.splitlines() == ["<6>event=import outcome=success",
                                                    "<4>event=import outcome=failure"]


@pytest.fixture
def accounts(db):
    auth.create_account(db, actor="tests", email="ref87@interieur.gouv.fr", display_name="Réf 87",
                        role=Role.REFERENT, site_code="87", password=PASSWORD)
    return db


def test_sign_ins_are_logged_without_the_password(accounts, capsys):
    capsys.readouterr()
    auth.authenticate(accounts, "ref87@interieur.gouv.fr", PASSWORD)
    with pytest.raises(auth.AuthError):
        auth.authenticate(accounts, "ref87@interieur.gouv.fr", "mauvais-mot-de-passe")
    # A password typed in the e-mail field: the unknown identifier is not written down.
    with pytest.raises(auth.AuthError):
        auth.authenticate(accounts, PASSWORD, PASSWORD)
    err = capsys.readouterr().err
    assert lines(err, "sign_in") == [
        "event=sign_in outcome=success user=ref87@interieur.gouv.fr role=referent",
        "event=sign_in outcome=failure reason=wrong_password user=ref87@interieur.gouv.fr failures=1 locked=false",
        "event=sign_in outcome=failure reason=unknown_or_inactive_account",
    ]
    assert PASSWORD not in err and "mauvais-mot-de-passe" not in err


def test_the_fifth_failure_logs_the_lock_out_and_the_admin_change(accounts, capsys):
    capsys.readouterr()
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(auth.AuthError):
            auth.authenticate(accounts, "ref87@interieur.gouv.fr", "mauvais-mot-de-passe")
    err = capsys.readouterr().err
    assert lines(err, "sign_in")[-1].endswith(f"failures={auth.MAX_FAILURES} locked=true")
    assert lines(err, "admin_change") == [
        'event=admin_change actor="système" action=verrouillage entity=compte key=ref87@interieur.gouv.fr']


def test_an_admin_change_is_logged_once_committed_and_not_when_rolled_back(accounts, capsys):
    capsys.readouterr()
    auth.update_account(accounts, actor="admin@interieur.gouv.fr", email="ref87@interieur.gouv.fr",
                        display_name="Réf 87", role=Role.REFERENT, site_code="87", active=False)
    with pytest.raises(auth.AccountError):  # refused inside its transaction: rolled back
        auth.create_account(accounts, actor="admin@interieur.gouv.fr", email="ref87@interieur.gouv.fr",
                            display_name="Doublon", role=Role.COPIL, site_code="87")
    with pytest.raises(RuntimeError), accounts.transaction() as cur:
        auth.record_audit(cur, actor="admin@interieur.gouv.fr", action="modification", entity="compte",
                          key="fantome@interieur.gouv.fr", before=None, after={})
        raise RuntimeError("rollback")
    err = capsys.readouterr().err
    assert lines(err, "admin_change") == [
        "event=admin_change actor=admin@interieur.gouv.fr action=\"désactivation\" entity=compte "
        "key=ref87@interieur.gouv.fr"]
