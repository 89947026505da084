"""Accounts: local passwords (argon2), lock-out, OIDC e-mail mapping, audit log.

No password ever leaves `hash_password`/`authenticate`: it is not stored,
logged, put in an exception message or echoed by the command line. Only
its argon2 hash is kept, and listings never return the hash.
"""

from __future__ import annotations

import getpass
import json
import logging
import re
import sys
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from qualepref import events, sql
from qualepref.access import LOCAL_ROLES, ROLE_LABELS, Principal, Role, administrator_name

log = logging.getLogger(__name__)

MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HASHER = PasswordHasher()
# Verified against when the account is unknown, so a wrong e-mail costs as
# long as a wrong password (no timing hint that an account exists).
_DUMMY_HASH = _HASHER.hash("qualepref-compte-inexistant")

# argon2 as configured costs 64 MiB per verification: a burst of sign-ins waits for a slot instead
# of taking the server's memory (two slots: the two cores of the reference server).
MAX_CONCURRENT_VERIFICATIONS = 2
VERIFICATION_WAIT = timedelta(seconds=60)
_VERIFICATION_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT_VERIFICATIONS)

BUSY = "Le service de connexion est très sollicité : réessayez dans quelques instants."
# The one answer to a refused sign-in, whether the address is unknown, the password wrong or the
# account locked (telling them apart would tell which addresses have an account).
WRONG_CREDENTIALS = (
    f"Adresse électronique ou mot de passe incorrect. Après {MAX_FAILURES} essais infructueux, le compte "
    f"est verrouillé {LOCKOUT.seconds // 60} minutes : réessayez plus tard, ou demandez à un administrateur "
    "de réinitialiser votre mot de passe."
)


class AuthError(Exception):
    """Sign-in refused; the message is meant for the user (French, no secret).

    `reason`: a short code for the operator's log (never shown to the user).
    """

    def __init__(self, message: str, reason: str | None = None):
        super().__init__(message)
        self.reason = reason


class AccountError(ValueError):
    """An account change that fails validation; the message is meant for the user."""


@dataclass(frozen=True)
class Account:
    email: str
    display_name: str
    role: Role
    site_code: str | None
    active: bool
    failed_attempts: int
    locked_until: datetime | None
    has_password: bool

    def principal(self) -> Principal:
        return Principal(user=self.email, role=self.role, site_code=self.site_code,
                         display_name=self.display_name)


def utcnow() -> datetime:
    """Naive UTC, as stored in DuckDB `timestamp` columns."""
    return datetime.now(UTC).replace(tzinfo=None)


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


# -- passwords -------------------------------------------------------------
def hash_password(password: str) -> str:
    problem = password_problem(password)
    if problem:
        raise AccountError(problem)
    return _HASHER.hash(password)


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if not password or len(password) < MIN_PASSWORD_LENGTH:
        return f"Le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} caractères."
    if password.strip() != password:
        return "Le mot de passe ne doit pas commencer ni finir par une espace."
    return None


# -- reads -----------------------------------------------------------------
def _rows(db_or_cur, name: str, **params) -> pd.DataFrame:
    """Account and audit tables hold no site data: no scope is involved."""
    cur = db_or_cur.cursor() if hasattr(db_or_cur, "transaction") else db_or_cur
    try:
        return cur.execute(sql.query_text(name), sql.bind(name, params, None)).df()
    finally:
        if cur is not db_or_cur:
            cur.close()


def accounts_exist(db) -> bool:
    return int(_rows(db, "account_count").n_accounts.iloc[0]) > 0


def list_accounts(db) -> pd.DataFrame:
    """Every account, without password hashes."""
    return _rows(db, "account_list")


def _fetch(db_or_cur, email: str) -> tuple[Account, str | None] | None:
    found = _rows(db_or_cur, "account_by_email", email=normalize_email(email))
    if found.empty:
        return None
    row = found.iloc[0]
    locked = row.locked_until
    account = Account(
        email=row.email, display_name=row.display_name, role=Role(row.role),
        site_code=None if pd.isna(row.site_code) else row.site_code, active=bool(row.active),
        failed_attempts=int(row.failed_attempts),
        locked_until=None if pd.isna(locked) else pd.Timestamp(locked).to_pydatetime(),
        has_password=not pd.isna(row.password_hash),
    )
    return account, (None if pd.isna(row.password_hash) else row.password_hash)


def get_account(db, email: str) -> Account | None:
    found = _fetch(db, email)
    return found[0] if found else None


def audit_history(db, entities=("compte", "indicateur", "engagement", "synonyme", "démonstration")) -> pd.DataFrame:
    return _rows(db, "audit_history", entities=list(entities))


# -- audit -----------------------------------------------------------------
def record_audit(cur, *, actor: Principal | str, action: str, entity: str, key: str,
                 before: dict | None, after: dict | None, now: datetime | None = None) -> None:
    """One line of the audit log, inside the transaction that made the change.

    Every administrative change writes one, so this is also where a discovery visitor is refused
    (`access.administrator_name`): the transaction rolls back, whatever the caller checked before.
    """
    actor = administrator_name(actor)
    # The operator's log line (no before/after: the audit table keeps them) once the change commits.
    events.defer("admin_change", actor=actor, action=action, entity=entity, key=key)
    sql.execute(
        cur, "audit_insert", now=now or utcnow(), actor=actor, action=action, entity=entity,
        key=key,
        before=None if before is None else json.dumps(before, ensure_ascii=False, default=str),
        after=None if after is None else json.dumps(after, ensure_ascii=False, default=str),
    )


def _public(account: Account) -> dict:
    """What the audit log keeps of an account (never a hash)."""
    return {"nom": account.display_name, "role": str(account.role), "prefecture": account.site_code,
            "actif": account.active}


# -- validation ------------------------------------------------------------
def validate_account(email: str, display_name: str, role, site_code: str | None,
                     site_codes) -> list[str]:
    """Problems with an account's fields (French messages), empty when valid."""
    problems = []
    if not _EMAIL.match(normalize_email(email)):
        problems.append("Adresse électronique invalide.")
    if not (display_name or "").strip():
        problems.append("Le nom affiché est obligatoire.")
    try:
        role = Role(role)
    except ValueError:
        problems.append(f"Rôle inconnu : {role}.")
        return problems
    if role in LOCAL_ROLES:
        if not site_code:
            problems.append(f"Un compte « {ROLE_LABELS[role]} » doit être rattaché à une préfecture.")
        elif site_code not in set(site_codes):
            problems.append(f"Préfecture inconnue : {site_code}.")
    elif site_code:
        problems.append(f"Un compte « {ROLE_LABELS[role]} » est national : pas de préfecture.")
    return problems


def _site_codes(cur) -> list[str]:
    return [r[0] for r in sql.execute(cur, "site_codes")]


# -- writes ----------------------------------------------------------------
def create_account(db, *, actor: Principal | str, email: str, display_name: str, role,
                   site_code: str | None = None, password: str | None = None) -> Account:
    """Create an account (password optional: OIDC-only accounts have none).

    `actor`: the signed-in administrator (`Principal`), or the name of a server-side caller.
    """
    actor = administrator_name(actor)
    email = normalize_email(email)
    role_value = str(role)
    password_hash = hash_password(password) if password else None
    with db.transaction() as cur:
        problems = validate_account(email, display_name, role_value, site_code, _site_codes(cur))
        if not problems and _fetch(cur, email):
            problems.append(f"Un compte existe déjà pour {email}.")
        if problems:
            raise AccountError(" ".join(problems))
        now = utcnow()
        sql.execute(cur, "account_insert", email=email, display_name=display_name.strip(), role=role_value,
                    site_code=site_code or None, password_hash=password_hash, now=now)
        account = _fetch(cur, email)[0]
        record_audit(cur, actor=actor, action="création", entity="compte", key=email, before=None,
                     after=_public(account) | {"mot_de_passe": "défini" if password else "aucun (OIDC)"},
                     now=now)
    log.info("compte créé : %s (%s) par %s", email, role_value, actor)
    return account


def update_account(db, *, actor: Principal | str, email: str, display_name: str, role, site_code: str | None,
                   active: bool) -> Account:
    """Change an account's name, role, prefecture or activation."""
    actor = administrator_name(actor)
    email = normalize_email(email)
    with db.transaction() as cur:
        found = _fetch(cur, email)
        if not found:
            raise AccountError(f"Aucun compte pour {email}.")
        before = found[0]
        problems = validate_account(email, display_name, role, site_code, _site_codes(cur))
        if problems:
            raise AccountError(" ".join(problems))
        if normalize_email(actor) == email and (Role(role) != Role.ADMIN or not active):
            raise AccountError("Vous ne pouvez pas retirer vos propres droits d'administrateur.")
        now = utcnow()
        sql.execute(cur, "account_update", email=email, display_name=display_name.strip(), role=str(Role(role)),
                    site_code=site_code or None, active=bool(active), now=now)
        after = _fetch(cur, email)[0]
        if _public(before) != _public(after):
            action = "désactivation" if before.active and not after.active else "modification"
            record_audit(cur, actor=actor, action=action, entity="compte", key=email,
                         before=_public(before), after=_public(after), now=now)
    return after


def set_password(db, *, actor: Principal | str, email: str, password: str) -> None:
    """Set or reset a password (also lifts a lock-out)."""
    actor = administrator_name(actor)
    email = normalize_email(email)
    password_hash = hash_password(password)
    with db.transaction() as cur:
        if not _fetch(cur, email):
            raise AccountError(f"Aucun compte pour {email}.")
        now = utcnow()
        sql.execute(cur, "account_set_password", email=email, password_hash=password_hash, now=now)
        record_audit(cur, actor=actor, action="mot de passe réinitialisé", entity="compte", key=email,
                     before=None, after={"mot_de_passe": "modifié"}, now=now)


def authenticate(db, email: str, password: str, *, now: datetime | None = None) -> Principal:
    """The principal of a valid local sign-in; `AuthError` otherwise.

    The attempt is reserved before the password is verified (one `update … returning` under the
    write lock): it counts as a failure until it succeeds, so parallel guesses cannot overwrite
    each other's count, and the `MAX_FAILURES`-th locks the account for `LOCKOUT`. During a
    lock-out nothing is reserved and even the right password is refused: at most
    `MAX_FAILURES` verifications per account per `LOCKOUT`, however many arrive at once.

    Unknown address, inactive account, wrong password, locked account: one message, and one
    argon2 verification each (against a dummy hash when there is nothing to verify against), so
    neither the answer nor its time tells whether an account exists or is locked.
    """
    now = now or utcnow()
    email = normalize_email(email)
    with db.transaction(bump=False) as cur:
        reserved = sql.execute(cur, "account_reserve_attempt", email=email, now=now, max_failures=MAX_FAILURES,
                               locked_until=now + LOCKOUT)
    if not reserved:
        _verify(_DUMMY_HASH, password or "")
        found = _fetch(db, email)  # for the operator's log only: the user's answer is the same
        if found and found[1] and found[0].active:
            events.emit("sign_in", outcome="failure", reason="locked", user=email)
        else:
            # The typed identifier is not logged: it is sometimes a password typed in the wrong field.
            events.emit("sign_in", outcome="failure", reason="unknown_or_inactive_account")
        raise AuthError(WRONG_CREDENTIALS)
    failures, password_hash, locked_until = reserved[0]
    if not _verify(password_hash, password or ""):
        if locked_until is not None:
            with db.transaction(bump=False) as cur:
                record_audit(cur, actor="système", action="verrouillage", entity="compte", key=email,
                             before=None, after={"essais_infructueux": failures,
                                                 "verrouille_jusqua": locked_until.isoformat(timespec="minutes")},
                             now=now)
        events.emit("sign_in", outcome="failure", reason="wrong_password", user=email, failures=failures,
                    locked=locked_until is not None)
        raise AuthError(WRONG_CREDENTIALS)
    with db.transaction(bump=False) as cur:
        sql.execute(cur, "account_record_success", email=email, now=now)
        if _HASHER.check_needs_rehash(password_hash):
            sql.execute(cur, "account_rehash", email=email, password_hash=_HASHER.hash(password))
    account = _fetch(db, email)[0]
    events.emit("sign_in", outcome="success", user=email, role=str(account.role))
    return account.principal()


def _verify(password_hash: str, password: str) -> bool:
    """One argon2 verification, at most `MAX_CONCURRENT_VERIFICATIONS` at a time (64 MiB each)."""
    if not _VERIFICATION_SLOTS.acquire(timeout=VERIFICATION_WAIT.total_seconds()):
        raise AuthError(BUSY)
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    finally:
        _VERIFICATION_SLOTS.release()


@dataclass(frozen=True)
class OidcPolicy:
    """Which identities from the OIDC provider are accepted (`[oidc]` in secrets.toml).

    `allowed_issuers`: when not empty, only tokens from these issuers (`iss`).
    `issuers_vouching_email`: issuers that send no `email_verified` claim because every address
    they send is verified (a federation of employers' directories, such as ProConnect); for any
    other issuer a missing claim is a refusal, and `email_verified: false` always is.
    """

    allowed_issuers: tuple[str, ...] = ()
    issuers_vouching_email: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings) -> OidcPolicy:
        def issuers(key: str) -> tuple[str, ...]:
            value = (settings or {}).get(key) or ()
            return tuple(str(v).strip() for v in ([value] if isinstance(value, str) else value) if str(v).strip())

        return cls(allowed_issuers=issuers("allowed_issuers"), issuers_vouching_email=issuers("issuers_vouching_email"))


def oidc_email(claims, policy: OidcPolicy = OidcPolicy()) -> str:
    """The e-mail address an OIDC identity may sign in with, or `AuthError`.

    Only an address the provider says it verified: `{"email": "admin@…", "email_verified": false}`
    would otherwise sign in as whoever owns that address here.
    """
    claims = dict(claims or {})
    issuer = str(claims.get("iss") or "")
    if policy.allowed_issuers and issuer not in policy.allowed_issuers:
        raise AuthError("Ce fournisseur d'identité n'est pas autorisé pour ce tableau de bord. Connectez-vous "
                        "avec le service d'identité de votre administration.", reason="issuer_not_allowed")
    email = normalize_email(str(claims.get("email") or ""))
    if not email:
        raise AuthError("Le fournisseur d'identité n'a pas transmis d'adresse électronique : la connexion est "
                        "impossible.", reason="no_email")
    verified = claims.get("email_verified")
    vouched = "email_verified" not in claims and issuer in policy.issuers_vouching_email
    if verified is not True and not vouched:
        raise AuthError("Votre fournisseur d'identité n'a pas confirmé votre adresse électronique : la connexion "
                        "est refusée. Confirmez l'adresse auprès de lui, ou demandez à l'administrateur.",
                        reason="email_not_verified")
    return email


def oidc_principal(db, claims, policy: OidcPolicy = OidcPolicy()) -> Principal:
    """The principal of an OIDC identity: a verified address (`oidc_email`) matching an active account."""
    return principal_for_email(db, oidc_email(claims, policy))


def principal_for_email(db, email: str | None) -> Principal:
    """The principal of an identity confirmed by OIDC (role and prefecture from the accounts table)."""
    account = get_account(db, email or "")
    if account is None or not account.active:
        raise AuthError(
            "Votre identité est confirmée, mais aucun compte actif de ce tableau de bord ne correspond à "
            f"l'adresse {normalize_email(email or '') or '(inconnue)'}. Demandez à l'administrateur "
            "de votre préfecture ou du ministère de vous créer un compte.", reason="no_active_account",
        )
    return account.principal()


def refresh(db, principal: Principal) -> Principal | None:
    """The signed-in principal as the accounts table says now (None if deactivated or removed)."""
    account = get_account(db, principal.user)
    return account.principal() if account and account.active else None


# -- command line ----------------------------------------------------------
def _read_password(stream=None) -> str:
    """From a prompt on a terminal, else one line of standard input (never from argv)."""
    stream = stream or sys.stdin
    if stream.isatty():
        first = getpass.getpass("Mot de passe : ")
        if getpass.getpass("Confirmez le mot de passe : ") != first:
            raise AccountError("Les deux saisies du mot de passe diffèrent.")
        return first
    return stream.readline().rstrip("\r\n")


def _cmd_account_create(args) -> int:
    from qualepref import db as dbmod

    try:
        password = None if args.sans_mot_de_passe else _read_password()
        if password is not None:
            problem = password_problem(password)
            if problem:
                raise AccountError(problem)
        with dbmod.Database() as database:
            account = create_account(
                database, actor="ligne de commande", email=args.email,
                display_name=args.nom or args.email.split("@")[0], role=args.role,
                site_code=args.prefecture, password=password,
            )
    except AccountError as exc:
        print(f"Compte non créé : {exc}", file=sys.stderr)
        return 1
    print(f"Compte créé : {account.email} ({ROLE_LABELS[account.role]}"
          + (f", préfecture {account.site_code}" if account.site_code else "") + ").")
    return 0


def register_cli(sub) -> None:
    """`python -m qualepref compte creer --email … --role admin` (password from a prompt or stdin)."""
    account = sub.add_parser("compte", help="gérer les comptes (création du premier administrateur)")
    actions = account.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser(
        "creer", help="créer un compte ; le mot de passe est demandé (ou lu sur l'entrée standard)",
        description="Crée un compte. Le mot de passe n'est jamais passé en argument : il est demandé "
        "au clavier, ou lu sur la première ligne de l'entrée standard (script).",
    )
    create.add_argument("--email", required=True, help="adresse électronique (identifiant)")
    create.add_argument("--role", required=True, choices=[r.value for r in Role],
                        help="referent, copil, ministere ou admin")
    create.add_argument("--prefecture", help="code de la préfecture (référent et COPIL), p. ex. 87")
    create.add_argument("--nom", help="nom affiché (défaut : début de l'adresse)")
    create.add_argument("--sans-mot-de-passe", action="store_true",
                        help="compte sans mot de passe local (connexion OIDC uniquement)")
    create.set_defaults(func=_cmd_account_create)
