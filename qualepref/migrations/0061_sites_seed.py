"""Articles (INSEE TNCC) of the prefectures and the overseas collectivités, from `data/geo/`.

Runs on new and existing databases alike: it fills what migration 0060 could not
(the article of each prefecture's name) and adds the collectivités d'outre-mer,
inactive, without touching a site that already exists.
"""

from qualepref import sql
from qualepref.config import GEO_DIR

PREFECTURES = GEO_DIR / "departements_prefectures.csv"
OVERSEAS = GEO_DIR / "collectivites_outre_mer.csv"


def apply(cursor) -> None:
    sql.execute(cursor, "seed_site_tncc", path=str(PREFECTURES))
    sql.execute(cursor, "seed_overseas_region")
    sql.execute(cursor, "seed_overseas_sites", path=str(OVERSEAS))
