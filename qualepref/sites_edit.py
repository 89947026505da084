"""Adding and editing sites (administrator: page, command line and the `sites` import), audited.

A site is checked before it is written: its code (a département code for a prefecture, the
INSEE commune code of its town for another site), its kind, its parent (a sub-prefecture
belongs to an active prefecture; other sites have no parent), its article (INSEE TNCC 0–8),
its region and its point. Every creation and change goes to the audit log (who, when,
before, after), in the transaction that writes it.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass

from qualepref import sites, sql, vocab

_CODE = re.compile(r"^(\d{2}|2[AB]|\d{3}|\d{5}|2[AB]\d{3})$")
ENTITY = "site"


class SiteError(ValueError):
    """A site that fails validation; the message is meant for the user (French)."""


@dataclass(frozen=True)
class Site:
    site_code: str
    site_name: str
    site_kind: str
    parent_code: str | None
    tncc: int
    region_code: str
    prefecture_city: str
    lon: float | None = None
    lat: float | None = None
    active: bool = True

    @property
    def zone(self) -> str:
        if self.region_code == "COM":
            return "com"
        return "drom" if self.site_code.startswith("97") else "metro"


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""


def problems(site: Site, *, known: dict[str, tuple[str, str | None, bool]], regions: set[str]) -> list[str]:
    """What is wrong with `site` (French sentences). `known`: code → (kind, parent, active) of the
    sites already stored (the edited site included, if it exists); `regions`: region codes."""
    found = []
    if not _CODE.match(site.site_code or ""):
        found.append(f"Code « {site.site_code} » invalide : le code du département (87, 2A, 971) pour une "
                     "préfecture, le code INSEE de la commune (87011) pour un autre site.")
    if site.site_kind not in vocab.SITE_KINDS:
        found.append(f"Type de site inconnu « {site.site_kind} » (" + ", ".join(vocab.SITE_KINDS.codes) + ").")
    if _blank(site.site_name):
        found.append("Le nom du site est obligatoire.")
    if _blank(site.prefecture_city):
        found.append("La ville du site est obligatoire.")
    if site.tncc not in sites.TNCC_CODES:
        found.append("Article (TNCC INSEE) inconnu : un nombre de 0 à 8.")
    if site.region_code not in regions:
        found.append(f"Région « {site.region_code} » inconnue.")
    if site.site_kind == sites.SOUS_PREFECTURE:
        parent = known.get(site.parent_code or "")
        if _blank(site.parent_code):
            found.append("Une sous-préfecture est rattachée à sa préfecture : indiquez-la.")
        elif parent is None or parent[0] != sites.PREFECTURE:
            found.append(f"Rattachement « {site.parent_code} » : ce n'est pas une préfecture connue.")
        elif not parent[2]:
            found.append(f"Rattachement « {site.parent_code} » : cette préfecture est désactivée.")
    elif not _blank(site.parent_code):
        found.append("Seule une sous-préfecture est rattachée à une préfecture.")
    has_children = any(p == site.site_code and active for _, p, active in known.values())
    if has_children and site.site_kind != sites.PREFECTURE:
        found.append("Ce site a des sous-préfectures rattachées : il doit rester une préfecture.")
    if (site.lon is None) != (site.lat is None):
        found.append("Indiquez la longitude et la latitude, ou aucune des deux.")
    if site.lon is not None and not (-180 <= site.lon <= 180 and -90 <= site.lat <= 90):
        found.append("Coordonnées hors limites (longitude −180 à 180, latitude −90 à 90).")
    if not site.active and has_children:
        found.append("Désactivez d'abord les sous-préfectures rattachées à ce site.")
    return found


def reference(cur) -> tuple[dict[str, tuple[str, str | None, bool]], set[str]]:
    """The stored sites (code → kind, parent, active) and region codes, as `problems` takes them."""
    known = {code: (kind, parent, bool(active)) for code, kind, parent, active in sql.execute(cur, "site_reference")}
    regions = {row[0] for row in sql.execute(cur, "region_codes")}
    return known, regions


def _write(cur, site: Site, *, actor: str, known, regions) -> str:
    found = problems(site, known=known, regions=regions)
    if found:
        raise SiteError(" ".join(found))
    before = sql.execute(cur, "site_row", site_code=site.site_code)
    after = asdict(site) | {"zone": site.zone}
    previous = dict(zip(after, before[0], strict=True)) if before else None
    if previous == after:
        return ""
    from qualepref import auth

    sql.execute(cur, "upsert_site", **after)
    action = "modification" if before else "création"
    auth.record_audit(cur, actor=actor, action=action, entity=ENTITY, key=site.site_code, before=previous, after=after)
    known[site.site_code] = (site.site_kind, site.parent_code, site.active)
    return action


def save(db, site: Site, *, actor) -> str:
    """Create or update `site` in one transaction with its audit line; returns "création",
    "modification" or "" (nothing changed). Raises `SiteError` when it fails validation.

    `actor`: the signed-in administrator (`Principal`; a discovery visitor or another role is
    refused with `ScopeError`) or the name of a server-side caller (command line)."""
    from qualepref.access import administrator_name

    actor = administrator_name(actor)
    with db.transaction() as cur:
        known, regions = reference(cur)
        return _write(cur, site, actor=actor, known=known, regions=regions)


def _sites_of(batch) -> list[Site]:
    fields = Site.__dataclass_fields__
    return [Site(**{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items() if k in fields})
            for row in batch.to_dict("records")]


def preview(cur, batch):
    """What importing these sites would do (new, replaced = changed, unchanged), as `store.WriteCounts`."""
    from qualepref.store import WriteCounts

    new = replaced = unchanged = 0
    for site in _sites_of(batch):
        before = sql.execute(cur, "site_row", site_code=site.site_code)
        after = asdict(site) | {"zone": site.zone}
        if not before:
            new += 1
        elif dict(zip(after, before[0], strict=True)) == after:
            unchanged += 1
        else:
            replaced += 1
    return WriteCounts(new=new, replaced=replaced, unchanged=unchanged)


def write_batch(cur, batch, *, actor: str):
    """Create or update every site of an import, inside its transaction (parents first), audited."""
    from qualepref.store import WriteCounts

    known, regions = reference(cur)
    counts = WriteCounts()
    for site in sorted(_sites_of(batch), key=lambda s: s.site_kind == sites.SOUS_PREFECTURE):
        action = _write(cur, site, actor=actor, known=known, regions=regions)
        counts = counts + WriteCounts(new=int(action == "création"), replaced=int(action == "modification"),
                                      unchanged=int(not action))
    return counts
