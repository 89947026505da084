"""Browser sessions that survive a reload, a new tab and a link opened from an e-mail.

Streamlit forgets who is signed in when its WebSocket session ends (F5, a
link opened in a new tab). A sign-in therefore also opens a *web session*:

- a random token (256 bits) goes to the browser in a cookie that scripts
  cannot read (`HttpOnly`), sent back only to this site (`SameSite=Lax`,
  `Secure` over HTTPS); the database keeps only its SHA-256, so a copy of
  the database gives no usable session;
- the row is the session: it ends after `IDLE` without use or `LIFETIME`
  after sign-in, on sign-out (the row is deleted, whatever the browser
  keeps), when the account is deactivated or removed, and it is not resumed
  while the account is locked out or once an administrator changed the
  account (password reset, role, prefecture);
- the cookie is set by a small HTTP endpoint (`qualepref.web`) that trades a
  one-time ticket, valid `TICKET_LIFETIME`, for it: the token itself never
  appears in the page, where a script could read it.

A new Streamlit session reads the cookie (`st.context.cookies`) and resumes
the account, re-read from the accounts table as on every run.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from qualepref import sql
from qualepref.auth import utcnow

COOKIE_NAME = "qualepref_session"
IDLE = timedelta(hours=2)
LIFETIME = timedelta(hours=12)
# last_seen is written at most this often: a write per click would queue behind imports.
TOUCH_EVERY = timedelta(minutes=5)
TICKET_LIFETIME = timedelta(seconds=60)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(db, email: str, *, now: datetime | None = None) -> str:
    """Record a new session for `email` (already authenticated) and return its token."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    with db.transaction(bump=False) as cur:
        sql.execute(cur, "web_session_purge", now=now, idle_since=now - IDLE)
        sql.execute(cur, "web_session_insert", token_hash=token_hash(token), email=email, now=now,
                    expires_at=now + LIFETIME)
    return token


@dataclass(frozen=True)
class Session:
    email: str
    created_at: datetime
    last_seen: datetime
    expires_at: datetime
    account_changed_at: datetime
    active: bool
    locked_until: datetime | None


def _lookup(db, hashed: str) -> Session | None:
    with db.cursor() as cur:
        rows = sql.execute(cur, "web_session_lookup", token_hash=hashed)
    return Session(*rows[0]) if rows else None


def why_unusable(session: Session | None, now: datetime, *, resuming: bool) -> str | None:
    """Why a session may not be used (None: it may). Resuming in a new tab is held to more."""
    if session is None:
        return "inconnue ou fermée"
    if now >= session.expires_at:
        return "expirée"
    if now - session.last_seen > IDLE:
        return "inactive trop longtemps"
    if not session.active:
        return "compte désactivé"
    if resuming:
        if session.locked_until is not None and session.locked_until > now:
            return "compte verrouillé"
        if session.account_changed_at > session.created_at:
            return "compte modifié par un administrateur depuis la connexion"
    return None


def resume(db, token: str | None, *, now: datetime | None = None) -> str | None:
    """The e-mail of the account behind a cookie's token, if its session may be resumed."""
    if not token:
        return None
    now = now or utcnow()
    hashed = token_hash(token)
    session = _lookup(db, hashed)
    if why_unusable(session, now, resuming=True) is not None:
        return None
    touch(db, hashed, now=now)
    return session.email


def still_open(db, hashed: str, *, last_touch: datetime | None,
               now: datetime | None = None) -> tuple[bool, datetime | None]:
    """Whether a live tab's session is still open (not signed out elsewhere, expired or deactivated).

    Returns the time of the last write of `last_seen`, written again when older than `TOUCH_EVERY`.
    """
    now = now or utcnow()
    if why_unusable(_lookup(db, hashed), now, resuming=False) is not None:
        return False, last_touch
    if last_touch is None or now - last_touch >= TOUCH_EVERY:
        touch(db, hashed, now=now)
        last_touch = now
    return True, last_touch


def touch(db, hashed: str, *, now: datetime | None = None) -> None:
    with db.transaction(bump=False) as cur:
        sql.execute(cur, "web_session_touch", token_hash=hashed, now=now or utcnow())


def close(db, hashed: str) -> None:
    """Sign out: the session is gone server-side, whatever the browser still holds."""
    with db.transaction(bump=False) as cur:
        sql.execute(cur, "web_session_delete", token_hash=hashed)


# -- one-time tickets --------------------------------------------------------
# Held in memory by the process that serves both the page and the endpoint.
_tickets: dict[str, tuple[str, datetime]] = {}
_tickets_lock = threading.Lock()


def ticket_for(token: str, *, now: datetime | None = None) -> str:
    """A one-time ticket the browser trades for the cookie holding `token`."""
    now = now or utcnow()
    ticket = secrets.token_urlsafe(32)
    with _tickets_lock:
        for old in [t for t, (_, at) in _tickets.items() if now - at > TICKET_LIFETIME]:
            del _tickets[old]
        _tickets[ticket] = (token, now)
    return ticket


def redeem(ticket: str | None, *, now: datetime | None = None) -> str | None:
    """The token a ticket stands for, once, within `TICKET_LIFETIME`; None otherwise."""
    if not ticket:
        return None
    now = now or utcnow()
    with _tickets_lock:
        found = _tickets.pop(ticket, None)
    if found is None or now - found[1] > TICKET_LIFETIME:
        return None
    return found[0]
