"""The référentiel and the sites, read from the database for matching."""

from __future__ import annotations

from qualepref import sql
from qualepref.access import SiteScope
from qualepref.ingest import parse
from qualepref.ingest.validate import Reference

_CACHE: dict[tuple[str, int], Reference] = {}


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
    sites = sql.run(db, "ingest_sites", scope=scope)
    synonyms = sql.run(db, "ingest_synonyms", scope=scope)
    indicators = sql.run(db, "referentiel_indicators", scope=scope)
    questions = sql.run(db, "referentiel_questions", scope=scope)
    engagements = sql.run(db, "referentiel_engagements", scope=scope)
    modules = sql.run(db, "referentiel_modules", scope=scope)
    return Reference(
        sites=parse.SiteMatcher(sites),
        indicators=parse.ItemMatcher(indicators, "indicator_code", "indicator_label",
                                     synonyms[synonyms["item_kind"] == "indicateur"]),
        questions=parse.ItemMatcher(questions, "question_code", "question_label",
                                    synonyms[synonyms["item_kind"] == "question"]),
        units=dict(zip(indicators["indicator_code"], indicators["unit"], strict=True)),
        modules={int(m) for m in modules["module"]},
        engagements={(int(m), int(e)) for m, e in engagements[["module", "engagement"]].itertuples(index=False)},
    )
