"""Load the référentiel and the sites from `data/` (the database is then the live copy)."""

from qualepref import sql
from qualepref.config import GEO_DIR, REFERENTIEL_DIR

SEEDS = (
    ("seed_regions", GEO_DIR / "departements_prefectures.csv"),
    ("seed_sites", GEO_DIR / "departements_prefectures.csv"),
    ("seed_modules", REFERENTIEL_DIR / "modules.csv"),
    ("seed_engagements", REFERENTIEL_DIR / "engagements.csv"),
    ("seed_indicators", REFERENTIEL_DIR / "indicateurs.csv"),
    ("seed_questions", REFERENTIEL_DIR / "questions.csv"),
    ("seed_synonyms", REFERENTIEL_DIR / "synonymes.csv"),
)


def apply(cursor) -> None:
    for query, path in SEEDS:
        sql.execute(cursor, query, path=str(path))
