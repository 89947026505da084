"""Who is acting and which sites they may touch.

Every read and write in the data layer takes a `SiteScope`. The scope is
derived from a `Principal`; code never builds one from raw user input.
"""

from __future__ import annotations

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


class ScopeError(PermissionError):
    """Raised when an action reaches outside the caller's site scope."""


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
        if not self.site_codes:
            raise ScopeError("Périmètre vide : aucune préfecture autorisée.")

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


@dataclass(frozen=True)
class Principal:
    """Who is acting: an identifier, a role and, for local roles, a prefecture."""

    user: str
    role: Role
    site_code: str | None = None

    def scope(self, all_site_codes) -> SiteScope:
        all_codes = frozenset(all_site_codes)
        if self.role in (Role.MINISTRY, Role.ADMIN):
            return SiteScope(all_codes, national=True, can_write=True)
        if not self.site_code or self.site_code not in all_codes:
            raise ScopeError("Compte sans préfecture valide.")
        return SiteScope(
            frozenset({self.site_code}), national=False, can_write=self.role == Role.REFERENT
        )


# Until sign-in exists (accounts issue), the app runs as the ministry.
NATIONAL_PRINCIPAL = Principal(user="national", role=Role.MINISTRY)
