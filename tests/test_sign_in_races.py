"""Sign-in under attack: parallel guesses, memory of argon2, and what a refusal tells.

Real argon2 throughout: the module's hasher is wrapped, not replaced, so each
verification really runs (64 MiB, tens of milliseconds) and is counted with the
hash it was checked against (the account's, or the dummy hash).
"""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from qualepref import auth
from qualepref.access import Role

PASSWORD = "Ceci-est-un-secret-42"
ADMIN = "admin@interieur.gouv.fr"


class CountingHasher:
    """The real argon2 hasher, counting verifications (by hash) and the most at once."""

    def __init__(self, real):
        self._real = real
        self._lock = threading.Lock()
        self.verified: list[str] = []
        self.running = 0
        self.most_at_once = 0

    def verify(self, password_hash, password):
        with self._lock:
            self.verified.append(password_hash)
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
        try:
            return self._real.verify(password_hash, password)
        finally:
            with self._lock:
                self.running -= 1

    def __getattr__(self, name):  # hash, check_needs_rehash: the real ones
        return getattr(self._real, name)


@pytest.fixture
def hasher(monkeypatch):
    counting = CountingHasher(auth._HASHER)
    monkeypatch.setattr(auth, "_HASHER", counting)
    # These tests count verifications: on a loaded machine, forty queued ones may take longer than
    # a user is asked to wait for a slot (`test_a_full_queue_answers_busy` checks that wait).
    monkeypatch.setattr(auth, "VERIFICATION_WAIT", auth.timedelta(minutes=10))
    return counting


@pytest.fixture
def admin_db(db):
    auth.create_account(db, actor="tests", email=ADMIN, display_name="Admin", role=Role.ADMIN, password=PASSWORD)
    return db


def stored_hash(db, email: str) -> str:
    with db.cursor() as cur:
        return cur.execute("select password_hash from accounts where email = ?", [email]).fetchone()[0]


def attempt(db, email: str, password: str) -> str:
    try:
        auth.authenticate(db, email, password)
    except auth.AuthError as refused:
        return str(refused)
    return "ok"


def test_forty_parallel_guesses_get_five_verifications_and_a_lock(admin_db, hasher):
    with ThreadPoolExecutor(max_workers=40) as pool:
        answers = list(pool.map(lambda i: attempt(admin_db, ADMIN, f"mauvais-{i}"), range(40)))
    account_hash = stored_hash(admin_db, ADMIN)
    against_account = sum(1 for h in hasher.verified if h == account_hash)
    assert against_account == auth.MAX_FAILURES, f"{against_account} passwords verified against the account"
    assert len(hasher.verified) == 40, "every refused attempt still costs one verification (the dummy one)"
    assert hasher.most_at_once <= auth.MAX_CONCURRENT_VERIFICATIONS
    assert set(answers) == {auth.WRONG_CREDENTIALS}
    account = auth.get_account(admin_db, ADMIN)
    assert account.failed_attempts == auth.MAX_FAILURES and account.locked_until is not None
    history = auth.audit_history(admin_db, entities=("compte",))
    assert (history.action == "verrouillage").sum() == 1
    # Locked: even the right password is not verified, and gets the same answer.
    hasher.verified.clear()
    assert attempt(admin_db, ADMIN, PASSWORD) == auth.WRONG_CREDENTIALS
    assert hasher.verified == [auth._DUMMY_HASH]


def test_the_right_password_on_the_last_allowed_attempt_signs_in(admin_db, hasher):
    for i in range(auth.MAX_FAILURES - 1):
        assert attempt(admin_db, ADMIN, f"mauvais-{i}") == auth.WRONG_CREDENTIALS
    assert attempt(admin_db, ADMIN, PASSWORD) == "ok"
    account = auth.get_account(admin_db, ADMIN)
    assert account.failed_attempts == 0 and account.locked_until is None


def test_parallel_right_and_wrong_passwords_stay_within_the_limit(admin_db, hasher):
    """Whatever the mix, the account never sees more than MAX_FAILURES verifications per lock-out."""
    passwords = [PASSWORD if i % 10 == 0 else f"mauvais-{i}" for i in range(20)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda p: attempt(admin_db, ADMIN, p), passwords))
    account_hash = stored_hash(admin_db, ADMIN)
    successes = answers.count("ok")
    # A success resets the series: each success opens at most MAX_FAILURES more verifications.
    assert sum(1 for h in hasher.verified if h == account_hash) <= auth.MAX_FAILURES * (successes + 1)
    assert len(hasher.verified) == 20 and hasher.most_at_once <= auth.MAX_CONCURRENT_VERIFICATIONS


def _timed(db, email: str, password: str) -> tuple[str, float]:
    start = time.perf_counter()
    answer = attempt(db, email, password)
    return answer, time.perf_counter() - start


def test_unknown_wrong_and_locked_get_one_answer_and_the_same_work(admin_db, hasher):
    auth.create_account(admin_db, actor="tests", email="verrouille@interieur.gouv.fr", display_name="V",
                        role=Role.ADMIN, password=PASSWORD)
    for i in range(auth.MAX_FAILURES):
        attempt(admin_db, "verrouille@interieur.gouv.fr", f"mauvais-{i}")
    cases = {
        "inconnu": ("personne@interieur.gouv.fr", PASSWORD),
        "mauvais": (ADMIN, "mauvais mot de passe"),
        "verrouillé": ("verrouille@interieur.gouv.fr", PASSWORD),
    }
    answers, durations, verifications = {}, {}, {}
    for name, (email, password) in cases.items():
        _timed(admin_db, email, password)  # warm-up (first query plans)
        before = len(hasher.verified)
        runs = [_timed(admin_db, email, password) for _ in range(3)]
        verifications[name] = len(hasher.verified) - before
        answers[name] = {answer for answer, _ in runs}
        durations[name] = statistics.median(seconds for _, seconds in runs)
    assert all(found == {auth.WRONG_CREDENTIALS} for found in answers.values()), answers
    assert verifications == {"inconnu": 3, "mauvais": 3, "verrouillé": 3}, "one argon2 verification per attempt"
    # Coarse (the machine is shared): a locked account used to answer in 2–4 ms, the others in ~200 ms.
    assert max(durations.values()) / min(durations.values()) < 3, durations


def test_a_full_queue_answers_busy_without_verifying(admin_db, hasher, monkeypatch):
    monkeypatch.setattr(auth, "VERIFICATION_WAIT", auth.timedelta(milliseconds=50))
    taken = [auth._VERIFICATION_SLOTS.acquire(timeout=5) for _ in range(auth.MAX_CONCURRENT_VERIFICATIONS)]
    try:
        assert all(taken)
        assert attempt(admin_db, ADMIN, PASSWORD) == auth.BUSY
    finally:
        for _ in taken:
            auth._VERIFICATION_SLOTS.release()
    assert hasher.verified == []
    assert attempt(admin_db, ADMIN, PASSWORD) == "ok"
