"""Web sessions (qualepref.sessions) and the cookie endpoint (qualepref.web), on a real DuckDB file.

What keeps a session cookie sound: only a hash is stored, it expires when
idle and after a working day, signing out ends it server-side, an
administrator's change to the account (deactivation, password reset) ends
it, a lock-out stops it being resumed, and the cookie is only ever set by a
same-origin request trading a one-time ticket.
"""

from datetime import timedelta

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from qualepref import auth, sessions, web
from qualepref.access import Role

EMAIL = "referente@interieur.gouv.fr"
PASSWORD = "une-phrase-de-passe-solide"


@pytest.fixture
def account_db(db):
    auth.create_account(db, actor="test", email=EMAIL, display_name="Rose", role=Role.REFERENT, site_code="87",
                        password=PASSWORD)
    return db


def test_a_session_resumes_its_account_and_only_its_hash_is_stored(account_db):
    token = sessions.open_session(account_db, EMAIL)
    assert sessions.resume(account_db, token) == EMAIL
    with account_db.cursor() as cur:
        stored = cur.execute("select token_hash from web_sessions").fetchall()
    assert stored == [(sessions.token_hash(token),)]
    assert token not in repr(stored)
    assert sessions.resume(account_db, token + "x") is None
    assert sessions.resume(account_db, None) is None


def test_idle_and_absolute_expiry(account_db):
    start = auth.utcnow()
    token = sessions.open_session(account_db, EMAIL, now=start)
    assert sessions.resume(account_db, token, now=start + sessions.IDLE - timedelta(minutes=1)) == EMAIL
    # Each use moves the idle limit on (resume wrote last_seen), never the end of the working day.
    later = start + sessions.IDLE + timedelta(minutes=30)
    assert sessions.resume(account_db, token, now=later) == EMAIL
    assert sessions.resume(account_db, token, now=later + sessions.IDLE + timedelta(seconds=1)) is None
    other = sessions.open_session(account_db, EMAIL, now=start)
    for hour in range(1, 12):
        assert sessions.resume(account_db, other, now=start + timedelta(hours=hour)) == EMAIL
    assert sessions.resume(account_db, other, now=start + sessions.LIFETIME) is None


def test_signing_out_ends_the_session_whatever_the_browser_keeps(account_db):
    token = sessions.open_session(account_db, EMAIL)
    hashed = sessions.token_hash(token)
    assert sessions.still_open(account_db, hashed, last_touch=None)[0]
    sessions.close(account_db, hashed)
    assert sessions.resume(account_db, token) is None
    assert not sessions.still_open(account_db, hashed, last_touch=None)[0]


def test_deactivation_ends_open_sessions_and_a_password_reset_stops_resuming(account_db):
    token = sessions.open_session(account_db, EMAIL, now=auth.utcnow() - timedelta(minutes=5))
    auth.set_password(account_db, actor="admin", email=EMAIL, password="une-autre-phrase-solide")
    assert sessions.resume(account_db, token) is None

    token = sessions.open_session(account_db, EMAIL)
    hashed = sessions.token_hash(token)
    auth.update_account(account_db, actor="admin", email=EMAIL, display_name="Rose", role=Role.REFERENT,
                        site_code="87", active=False)
    assert not sessions.still_open(account_db, hashed, last_touch=None)[0]
    assert sessions.resume(account_db, token) is None


def test_a_locked_account_is_not_resumed(account_db):
    token = sessions.open_session(account_db, EMAIL)
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(auth.AuthError):
            auth.authenticate(account_db, EMAIL, "mauvais mot de passe")
    assert sessions.resume(account_db, token) is None
    # Once the lock-out is over, the session (not changed by an administrator) resumes.
    after = auth.utcnow() + auth.LOCKOUT + timedelta(minutes=1)
    assert sessions.resume(account_db, token, now=after - timedelta(minutes=2)) is None
    assert sessions.why_unusable(sessions._lookup(account_db, sessions.token_hash(token)), after,
                                 resuming=True) is None


def test_a_ticket_is_good_once_and_for_a_minute():
    ticket = sessions.ticket_for("jeton")
    assert sessions.redeem(ticket) == "jeton"
    assert sessions.redeem(ticket) is None
    old = sessions.ticket_for("jeton", now=auth.utcnow() - sessions.TICKET_LIFETIME - timedelta(seconds=1))
    assert sessions.redeem(old) is None
    assert sessions.redeem("") is None and sessions.redeem(None) is None


@pytest.fixture
def client():
    return TestClient(Starlette(routes=web.routes()), base_url="http://qualepref.test")


SAME_ORIGIN = {"origin": "http://qualepref.test", "sec-fetch-site": "same-origin"}


def test_the_endpoint_sets_an_httponly_cookie_for_a_same_origin_ticket(client):
    ticket = sessions.ticket_for("le-jeton")
    answer = client.post(web.session_url(), headers=SAME_ORIGIN | {web.TICKET_HEADER: ticket})
    assert answer.status_code == 204
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{sessions.COOKIE_NAME}=le-jeton;")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert f"Max-Age={int(sessions.LIFETIME.total_seconds())}" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback
    assert answer.headers["cache-control"] == "no-store"
    # The same ticket again: refused.
    again = client.post(web.session_url(), headers=SAME_ORIGIN | {web.TICKET_HEADER: ticket})
    assert again.status_code == 403 and "set-cookie" not in again.headers


def test_the_cookie_is_secure_behind_a_tls_proxy(client):
    ticket = sessions.ticket_for("le-jeton")
    answer = client.post(web.session_url(),
                         headers=SAME_ORIGIN | {web.TICKET_HEADER: ticket, "x-forwarded-proto": "https"})
    assert "Secure" in answer.headers["set-cookie"]


@pytest.mark.parametrize("headers", [
    {"origin": "http://ailleurs.example", "sec-fetch-site": "cross-site"},
    {"origin": "http://ailleurs.example"},
    {"sec-fetch-site": "same-site"},
    {},
])
def test_another_site_cannot_set_or_clear_the_cookie(client, headers):
    ticket = sessions.ticket_for("le-jeton")
    assert client.post(web.session_url(), headers=headers | {web.TICKET_HEADER: ticket}).status_code == 403
    assert client.delete(web.session_url(), headers=headers | {web.APP_HEADER: "1"}).status_code == 403
    # A refused request did not spend the ticket of the real page.
    assert sessions.redeem(ticket) == "le-jeton"


def test_signing_out_clears_the_cookie(client):
    assert client.delete(web.session_url(), headers=SAME_ORIGIN).status_code == 403  # without the app's header
    answer = client.delete(web.session_url(), headers=SAME_ORIGIN | {web.APP_HEADER: "1"})
    assert answer.status_code == 204
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f'{sessions.COOKIE_NAME}="";') and "Max-Age=0" in cookie
