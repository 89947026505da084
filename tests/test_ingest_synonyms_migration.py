"""Migration 0005: synonyms the CSV gained after a database was created reach that database,
without touching what an administrator added."""

from __future__ import annotations

import importlib

from qualepref import db as dbmod
from qualepref.config import REFERENTIEL_DIR
from qualepref.db import Database
from tests.conftest import national_scope

CSV = REFERENTIEL_DIR / "synonymes.csv"
# Added to the CSV after the first databases were seeded (commit 011058d).
LATER = [
    ("indicateur", "RECLAMATIONS_RECUES", "Réclamations et suggestions reçues"),
    ("indicateur", "APPELS_PERDUS", "Taux d'appels perdus au standard"),
    ("indicateur", "DECROCHE_5_SONNERIES", "Taux de décroché en moins de 5 sonneries"),
    ("indicateur", "ATTENTE_GUICHET", "Temps d'attente au guichet"),
    ("question", "GLOBAL", "Globalement êtes-vous satisfait"),
    ("question", "ATTENTE", "Temps d'attente raisonnable"),
]


def _synonyms(database) -> list[tuple]:
    with database.cursor() as cur:
        return cur.execute("select item_kind, item_code, synonym from synonyms order by all").fetchall()


def _old_database(path, tmp_path, monkeypatch):
    """A database as migrations 0001–0004 left it when the CSV did not hold the later synonyms yet."""
    lines = CSV.read_text(encoding="utf-8").splitlines()
    old_csv = tmp_path / "synonymes-avant.csv"
    later_lines = {",".join(row) for row in LATER}
    old_csv.write_text("\n".join(line for line in lines if line not in later_lines) + "\n", encoding="utf-8")
    seed = importlib.import_module("qualepref.migrations.0002_referentiel")
    with monkeypatch.context() as patch:
        patch.setattr(seed, "SEEDS", tuple((q, old_csv if q == "seed_synonyms" else p) for q, p in seed.SEEDS))
        previous = [m for m in dbmod._migrations() if m[0] < 5]
        patch.setattr(dbmod, "_migrations", lambda: previous)
        with Database(path) as database:
            with database.cursor() as cur:
                assert max(r[0] for r in cur.execute("select version from schema_migrations").fetchall()) == 4
            assert not set(LATER) & set(_synonyms(database))
            # An administrator's additions since: one the CSV also has later (in another spelling),
            # one giving a later CSV synonym's words to another indicator.
            with database.transaction() as cur:
                cur.execute("insert into synonyms values ('indicateur', 'APPELS_PERDUS', "
                            "'TAUX D’APPELS PERDUS AU STANDARD (%)')")
                cur.execute("insert into synonyms values ('indicateur', 'COURRIER_DELAI', "
                            "'Réclamations et suggestions reçues')")
            return _synonyms(database)


def test_synonyms_missing_from_an_older_database_are_added(tmp_path, monkeypatch):
    path = tmp_path / "ancienne.duckdb"
    before = _old_database(path, tmp_path, monkeypatch)
    with Database(path) as database:  # opening it applies the pending migration
        after = _synonyms(database)
        with database.cursor() as cur:
            assert 5 in {r[0] for r in cur.execute("select version from schema_migrations").fetchall()}
        from qualepref.ingest import reference

        ref = reference.load(database, national_scope(database))
        assert ref.indicators.match("temps d'attente au guichet") == "ATTENTE_GUICHET"
        assert ref.questions.match("Globalement, êtes-vous satisfait ?") == "GLOBAL"
        # The administrator's mapping stands: these words still mean the courrier delay.
        assert ref.indicators.match("Réclamations et suggestions reçues") == "COURRIER_DELAI"
    added = sorted(set(after) - set(before))
    assert added == sorted([
        ("indicateur", "DECROCHE_5_SONNERIES", "Taux de décroché en moins de 5 sonneries"),
        ("indicateur", "ATTENTE_GUICHET", "Temps d'attente au guichet"),
        ("question", "GLOBAL", "Globalement êtes-vous satisfait"),
        ("question", "ATTENTE", "Temps d'attente raisonnable"),
    ])
    assert set(before) <= set(after), "nothing the database held is removed or changed"
    assert len(after) == len(set(after))


def test_a_new_database_gets_each_synonym_once(db):
    from qualepref.migrations import __name__ as package

    migration = importlib.import_module(f"{package}.0005_referentiel_synonyms")
    synonyms = _synonyms(db)
    assert set(LATER) <= set(synonyms)
    assert len(synonyms) == len(set(synonyms))
    with db.cursor() as cur:
        assert migration.missing_synonyms(cur) == []
