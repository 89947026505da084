"""The référentiel and the sites, read from the database for matching."""

from __future__ import annotations

from qualepref import sql
from qualepref.access import SiteScope
from qualepref.ingest import parse
from qualepref.ingest.validate import Reference

_CACHE: dict[tuple[str, int], Reference] = {}
# Built matchers by content: a fresh copy of a database (or another file with the same
# référentiel) reuses them after one query.
_BUILT: dict[tuple, Reference] = {}


def load(db, scope: SiteScope) -> Reference:
    """The référentiel for matching, cached per database file and data version.

    Every write (an administrator's edit of the référentiel included) bumps the
    data version, so a cached copy is never stale.
    """
    key = (str(getattr(db, "path", id(db))), db.data_version())
    if key not in _CACHE:
        if len(_CACHE) > 8:
            _CACHE.clear()
        _CACHE[key] = _load(db, scope)
    return _CACHE[key]


def _load(db, scope: SiteScope) -> Reference:
    with db.cursor() as cur:
        rows = tuple(sql.execute(cur, "ingest_reference", scope=scope))
        rows += tuple(("campaign", label, None, None) for (label,) in sql.execute(cur, "ingest_campaigns", scope=scope))
    if rows not in _BUILT:
        if len(_BUILT) > 8:
            _BUILT.clear()
        _BUILT[rows] = _build(rows)
    return _BUILT[rows]


def _by_engagement(rows) -> dict[int, frozenset[str]]:
    found: dict[int, set[str]] = {}
    for code, engagement, _ in rows:
        found.setdefault(int(engagement), set()).add(code)
    return {engagement: frozenset(codes) for engagement, codes in found.items()}


def _build(rows: tuple) -> Reference:
    parts: dict[str, list[tuple]] = {}
    for kind, a, b, c in rows:
        parts.setdefault(kind, []).append((a, b, c))
    indicators = parts.get("indicator", [])
    return Reference(
        sites=parse.SiteMatcher(parts.get("site", [])),
        indicators=parse.ItemMatcher([(code, label) for code, label, _ in indicators],
                                     [(code, synonym) for code, synonym, _ in parts.get("synonym_indicateur", [])]),
        questions=parse.ItemMatcher([(code, label) for code, label, _ in parts.get("question", [])],
                                    [(code, synonym) for code, synonym, _ in parts.get("synonym_question", [])]),
        units={code: unit for code, _, unit in indicators},
        modules={int(module) for module, _, _ in parts.get("module", [])},
        engagements={(int(module), int(engagement)) for module, engagement, _ in parts.get("engagement", [])},
        campaigns=tuple(label for label, _, _ in parts.get("campaign", [])),
        indicator_engagements=_by_engagement(parts.get("indicator_engagement", [])),
    )
