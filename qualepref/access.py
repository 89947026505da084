"""Who is acting and which sites they may touch.

Every read and write in the data layer takes a `SiteScope`. A scope is only
ever minted here: from a `Principal` (`Principal.scope`), for the command
line and the demonstration loader (`system_scope`), or by narrowing an
existing scope (`SiteScope.narrowed`, which can only shrink it). Building a
`SiteScope(...)` directly — from page code, or with `dataclasses.replace` —
raises `ScopeError`, so the data layer never sees a forged scope.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    REFERENT = "referent"
    COPIL = "copil"
    MINISTRY = "ministere"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.REFERENT: "Référent qualité",
    Role.COPIL: "Membre du COPIL",
    Role.MINISTRY: "Ministère (national)",
    Role.ADMIN: "Administrateur",
}

# Roles tied to one prefecture (the others are national).
LOCAL_ROLES = frozenset({Role.REFERENT, Role.COPIL})
# Roles that write data (imports); the administrator also edits accounts and the référentiel.
WRITING_ROLES = frozenset({Role.REFERENT, Role.ADMIN})


class ScopeError(PermissionError):
    """Raised when an action reaches outside the caller's site scope."""


# Why a discovery visitor's write is refused (the import confirmation, the référentiel editor, the
# accounts and demonstration pages all say this).
DISCOVERY_READ_ONLY = (
    "Mode découverte : consultation seulement, rien n'est enregistré. Pour importer des données, "
    "modifier le référentiel ou gérer les comptes, créez le premier administrateur sur le serveur "
    "(python -m qualepref compte creer --role admin), puis connectez-vous."
)


# Set only while one of this module's constructors runs: a context variable,
# so a scope minted in one Streamlit thread never opens the gate for another.
_minting: contextvars.ContextVar[bool] = contextvars.ContextVar("qualepref_minting", default=False)


@contextmanager
def _mint():
    token = _minting.set(True)
    try:
        yield
    finally:
        _minting.reset(token)


@dataclass(frozen=True)
class SiteScope:
    """The set of sites a caller may read (and, if `can_write`, write).

    `national` scopes see every site; `names_visible` says whether other
    sites may be shown by name (only national scopes may). `can_preview`: an
    import may be analysed and previewed against these sites (the data layer
    counts what it would write) — true wherever `can_write` is, and for the
    discovery scope of a role that writes, which can never write itself.
    """

    site_codes: frozenset[str]
    national: bool = False
    can_write: bool = False
    can_preview: bool = False
    discovery: bool = False

    def __post_init__(self) -> None:
        if not _minting.get():
            raise ScopeError(
                "Périmètre refusé : il ne peut être établi que par qualepref.access "
                "(Principal.scope, system_scope ou narrowed)."
            )
        if not self.site_codes:
            raise ScopeError("Périmètre vide : aucune préfecture autorisée.")
        if not isinstance(self.site_codes, frozenset):
            raise ScopeError("Périmètre invalide.")
        if self.discovery and self.can_write:
            raise ScopeError(DISCOVERY_READ_ONLY)

    @property
    def names_visible(self) -> bool:
        return self.national

    def allows(self, site_code: str) -> bool:
        return site_code in self.site_codes

    @property
    def previews_writes(self) -> bool:
        return self.can_write or self.can_preview

    def require(self, site_codes, *, write: bool = False, preview: bool = False) -> None:
        """Raise `ScopeError` unless every code is inside the scope.

        `write`: the caller is about to write there; `preview`: to count what a write would do.
        """
        if write and not self.can_write:
            raise ScopeError(DISCOVERY_READ_ONLY if self.discovery else "Ce profil ne peut pas modifier les données.")
        if preview and not self.previews_writes:
            raise ScopeError("Ce profil ne peut pas importer de données.")
        outside = sorted(set(site_codes) - self.site_codes)
        if outside:
            raise ScopeError(
                "Préfecture(s) hors de votre périmètre : " + ", ".join(outside)
            )

    def as_param(self) -> list[str]:
        return sorted(self.site_codes)

    def narrowed(self, site_codes: Iterable[str]) -> SiteScope:
        """The part of this scope inside `site_codes` (never wider; unchanged if nothing is left)."""
        kept = frozenset(site_codes) & self.site_codes
        if not kept or kept == self.site_codes:
            return self
        with _mint():
            return SiteScope(kept, national=self.national, can_write=self.can_write, can_preview=self.can_preview,
                             discovery=self.discovery)

    @functools.cached_property
    def _fingerprint(self) -> str:
        text = ("\n".join(sorted(self.site_codes))
                + f"\n{self.national}\n{self.can_write}\n{self.can_preview}\n{self.discovery}")
        return hashlib.sha256(text.encode()).hexdigest()

    def key(self) -> str:
        """A short summary for cache keys, computed once (hashing a thousand site codes on every
        cached query cost more than the query itself at 1,000 sites)."""
        return self._fingerprint


def system_scope(site_codes: Iterable[str]) -> SiteScope:
    """Every given site, read and write: for the command line and the demonstration loader.

    Never called from pages: they get the signed-in principal's scope.
    """
    with _mint():
        return SiteScope(frozenset(site_codes), national=True, can_write=True, can_preview=True)


@dataclass(frozen=True)
class Principal:
    """Who is acting: an identifier, a role and, for local roles, a prefecture."""

    user: str
    role: Role
    site_code: str | None = None
    display_name: str | None = None
    demo: bool = False  # acting through the "mode découverte" selector, not signed in

    @property
    def is_local(self) -> bool:
        return self.role in LOCAL_ROLES

    @property
    def label(self) -> str:
        return self.display_name or self.user

    @property
    def writes(self) -> bool:
        """The role writes data (imports): référent and administrator, never in discovery mode."""
        return self.role in WRITING_ROLES and not self.demo

    def scope(self, all_site_codes: Iterable[str] | Mapping[str, str | None]) -> SiteScope:
        """Référent: own site and its sub-sites, read and write. COPIL: the same, read.

        Ministry: every site, read. Administrator: every site, read and write
        (accounts, référentiel, corrections and bulk loads). `all_site_codes`
        is the active sites, as a mapping site → parent site (or None) when
        sites have parents: a prefecture's référent also acts for its
        sub-prefectures, a sub-prefecture's référent for itself only. In
        discovery mode (`demo`), the same sites read-only, whatever the role:
        an import may be previewed as the role would see it, never written.
        """
        parents = all_site_codes if isinstance(all_site_codes, Mapping) else {}
        all_codes = frozenset(all_site_codes)
        if self.role in (Role.ADMIN, Role.MINISTRY):
            codes, national = all_codes, True
        elif not self.site_code or self.site_code not in all_codes:
            raise ScopeError("Compte sans préfecture valide.")
        else:
            codes = frozenset({self.site_code}) | {code for code, parent in parents.items() if parent == self.site_code}
            national = False
        with _mint():
            return SiteScope(codes, national=national, can_write=self.writes,
                             can_preview=self.role in WRITING_ROLES, discovery=self.demo)


def administrator_name(actor: Principal | str) -> str:
    """The name the change log keeps for an administrative change by `actor`, once allowed.

    Web pages pass the signed-in `Principal`: a discovery visitor is refused
    (`DISCOVERY_READ_ONLY`), and so is any role but the administrator,
    whatever the page offered. A plain string names a caller running on the
    server itself (command line, tests), trusted like the shell that runs it.
    """
    if isinstance(actor, str):
        return actor
    if not isinstance(actor, Principal):
        raise ScopeError("Auteur de la modification inconnu.")
    if actor.demo:
        raise ScopeError(DISCOVERY_READ_ONLY)
    if actor.role != Role.ADMIN:
        raise ScopeError("Cette modification est réservée au profil « Administrateur ».")
    return actor.user


def writer_name(actor: Principal | str) -> str:
    """The name the change log keeps for a data entry by `actor` (a stage, a finding, an action).

    Like `administrator_name` for the roles that write their own sites' data:
    a discovery visitor or a reading role is refused here, before anything is
    read, whatever the page offered (the scope checks the sites again). A
    plain string names a caller running on the server itself.
    """
    if isinstance(actor, str):
        return actor
    if not isinstance(actor, Principal):
        raise ScopeError("Auteur de la modification inconnu.")
    if actor.demo:
        raise ScopeError(DISCOVERY_READ_ONLY)
    if not actor.writes:
        raise ScopeError("Ce profil ne peut pas modifier les données.")
    return actor.user


# The operator of the command line (imports, demonstration data): national,
# read and write, like the administrator. Never used for a web session.
NATIONAL_PRINCIPAL = Principal(user="national", role=Role.ADMIN, display_name="Ligne de commande")


# -- navigation -------------------------------------------------------------
# Which pages each role finds in the navigation (DESIGN §1), as data so that
# tests check the same table app.py builds from. Pages re-check the role
# themselves; this only decides what is offered.
PILOTAGE_PAGES = ("vue_ensemble", "tendances", "alertes", "conformite", "plan_actions", "comparaison",
                  "transmissions")
ADMIN_PAGES = ("admin_comptes", "admin_referentiel", "admin_sites", "demonstration")
SIGN_IN_PAGE = "connexion"
# Open to anyone, signed in or not, linked from every page's footer (the accessibility statement
# must be readable before signing in).
PUBLIC_PAGES = ("accessibilite",)
DATA_PAGES = {
    Role.REFERENT: ("import_donnees", "historique", "exports"),
    Role.COPIL: ("exports",),
    # National and read-only: the ministry does not upload.
    Role.MINISTRY: ("historique", "exports"),
    Role.ADMIN: ("import_donnees", "historique", "exports"),
}


# The label's life: a site's démarche for everyone, the national labelling picture for national roles.
DEMARCHE_PAGES = {
    Role.REFERENT: ("demarche",),
    Role.COPIL: ("demarche",),
    Role.MINISTRY: ("labellisation", "demarche"),
    Role.ADMIN: ("labellisation", "demarche"),
}


def navigation(role: Role) -> dict[str, tuple[str, ...]]:
    """Section title → page file stems (`pages/<stem>.py`) offered to `role`."""
    sections = {"Pilotage": PILOTAGE_PAGES, "Démarche qualité": DEMARCHE_PAGES[Role(role)],
                "Données": DATA_PAGES[Role(role)], "Référence": ("referentiel",)}
    if role == Role.ADMIN:
        sections["Administration"] = ADMIN_PAGES
    return sections
