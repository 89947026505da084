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


class ScopeError(PermissionError):
    """Raised when an action reaches outside the caller's site scope."""


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
    sites may be shown by name (only national scopes may).
    """

    site_codes: frozenset[str]
    national: bool = False
    can_write: bool = False

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

    @property
    def names_visible(self) -> bool:
        return self.national

    def allows(self, site_code: str) -> bool:
        return site_code in self.site_codes

    def require(self, site_codes, *, write: bool = False) -> None:
        """Raise `ScopeError` unless every code is inside the scope."""
        if write and not self.can_write:
            raise ScopeError("Ce profil ne peut pas modifier les données.")
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
            return SiteScope(kept, national=self.national, can_write=self.can_write)

    @functools.cached_property
    def _fingerprint(self) -> str:
        text = "\n".join(sorted(self.site_codes)) + f"\n{self.national}\n{self.can_write}"
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
        return SiteScope(frozenset(site_codes), national=True, can_write=True)


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

    def scope(self, all_site_codes: Iterable[str] | Mapping[str, str | None]) -> SiteScope:
        """Référent: own site and its sub-sites, read and write. COPIL: the same, read.

        Ministry: every site, read. Administrator: every site, read and write
        (accounts, référentiel, corrections and bulk loads). `all_site_codes`
        is the active sites, as a mapping site → parent site (or None) when
        sites have parents: a prefecture's référent also acts for its
        sub-prefectures, a sub-prefecture's référent for itself only.
        """
        parents = all_site_codes if isinstance(all_site_codes, Mapping) else {}
        all_codes = frozenset(all_site_codes)
        with _mint():
            if self.role == Role.ADMIN:
                return SiteScope(all_codes, national=True, can_write=True)
            if self.role == Role.MINISTRY:
                return SiteScope(all_codes, national=True, can_write=False)
            if not self.site_code or self.site_code not in all_codes:
                raise ScopeError("Compte sans préfecture valide.")
            own = frozenset({self.site_code}) | {code for code, parent in parents.items() if parent == self.site_code}
            return SiteScope(own, national=False, can_write=self.role == Role.REFERENT)


# The operator of the command line (imports, demonstration data): national,
# read and write, like the administrator. Never used for a web session.
NATIONAL_PRINCIPAL = Principal(user="national", role=Role.ADMIN, display_name="Ligne de commande")


# -- navigation -------------------------------------------------------------
# Which pages each role finds in the navigation (DESIGN §1), as data so that
# tests check the same table app.py builds from. Pages re-check the role
# themselves; this only decides what is offered.
PILOTAGE_PAGES = ("vue_ensemble", "tendances", "alertes", "conformite", "comparaison", "transmissions")
ADMIN_PAGES = ("admin_comptes", "admin_referentiel", "demonstration")
SIGN_IN_PAGE = "connexion"
DATA_PAGES = {
    Role.REFERENT: ("import_donnees", "historique", "exports"),
    Role.COPIL: ("exports",),
    # National and read-only: the ministry does not upload.
    Role.MINISTRY: ("historique", "exports"),
    Role.ADMIN: ("import_donnees", "historique", "exports"),
}


def navigation(role: Role) -> dict[str, tuple[str, ...]]:
    """Section title → page file stems (`pages/<stem>.py`) offered to `role`."""
    sections = {"Pilotage": PILOTAGE_PAGES, "Données": DATA_PAGES[Role(role)], "Référence": ("referentiel",)}
    if role == Role.ADMIN:
        sections["Administration"] = ADMIN_PAGES
    return sections
