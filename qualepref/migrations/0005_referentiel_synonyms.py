"""Synonyms added to `data/referentiel/synonymes.csv` after a database was created.

The référentiel was seeded once (0002), so synonyms the CSV gained later never
reached older databases. This adds those missing from the table, and only
those: a synonym already there (in any spelling), or whose words already name
an item of the same kind (a label, or a synonym an administrator added,
perhaps for another item), is left alone, as is one naming an item the
database does not have. Nothing is updated or deleted.
"""

import csv

from qualepref import sql
from qualepref.config import REFERENTIEL_DIR
from qualepref.ingest.text import norm

CSV = REFERENTIEL_DIR / "synonymes.csv"


def missing_synonyms(cursor, path=CSV) -> list[tuple[str, str, str]]:
    """(item_kind, item_code, synonym) rows of the CSV that the database lacks and may take."""
    items = {
        "indicateur": dict(cursor.execute("select indicator_code, indicator_label from indicators").fetchall()),
        "question": dict(cursor.execute("select question_code, question_label from questions").fetchall()),
    }
    taken = {(kind, norm(label, drop_unit=True)) for kind, labels in items.items() for label in labels.values()}
    taken |= {(kind, norm(code)) for kind, labels in items.items() for code in labels}
    taken |= {(kind, norm(synonym, drop_unit=True))
              for kind, _, synonym in cursor.execute("select item_kind, item_code, synonym from synonyms").fetchall()}
    missing = []
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            kind, code, synonym = row["type"].strip(), row["code"].strip(), row["synonyme"].strip()
            key = (kind, norm(synonym, drop_unit=True))
            if kind in items and code in items[kind] and synonym and key not in taken:
                missing.append((kind, code, synonym))
                taken.add(key)
    return missing


def apply(cursor) -> None:
    for kind, code, synonym in missing_synonyms(cursor):
        sql.execute(cursor, "referentiel_insert_synonym", item_kind=kind, item_code=code, synonym=synonym)
