"""Référentiel corrections: engagement 7.22's full wording, indicative targets labelled and confirmed."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from qualepref import alerts, fmt, referentiel_edit
from qualepref import db as dbmod
from qualepref.db import Database
from qualepref.export import figures, pack_data
from tests.conftest import DEMO_END_MONTH, national_scope

MIGRATION = __import__("qualepref.migrations.0021_referentiel_corrections", fromlist=["x"])


def _label(database, module, engagement):
    return database.cursor().execute("select engagement_label from engagements where module = ? and engagement = ?",
                                     [module, engagement]).fetchone()[0]


def test_a_new_database_has_the_full_wording_and_indicative_targets(db):
    assert _label(db, 7, 22) == MIGRATION.ENGAGEMENT_22
    assert "nous assurons l'information factuelle" in MIGRATION.ENGAGEMENT_22
    assert MIGRATION.ENGAGEMENT_22.endswith("à l'aide des moyens permanents d'information")
    flags = dict(db.cursor().execute("select indicator_code, target_indicative from indicators").fetchall())
    assert flags["ATTENTE_GUICHET"] and flags["DECROCHE_5_SONNERIES"]  # "cible illustrative" in the file
    assert not flags["COURRIER_DELAI"] and not flags["RECLAMATIONS_RECUES"]


def _database_before_0021(path, *, edited_label: str | None = None):
    earlier = [m for m in dbmod._migrations() if m[0] < 21]
    original = dbmod._migrations
    dbmod._migrations = lambda: earlier
    try:
        Database(path).close()
    finally:
        dbmod._migrations = original
    con = duckdb.connect(str(path))
    # As a database seeded before the correction: the old seed text.
    con.execute("update engagements set engagement_label = ? where module = 7 and engagement = 22",
                [edited_label or MIGRATION.OLD_ENGAGEMENT_22])
    con.close()


def test_migration_restores_the_seed_text_but_never_an_administrators_edit(tmp_path):
    _database_before_0021(tmp_path / "seed.duckdb")
    with Database(tmp_path / "seed.duckdb") as database:
        assert _label(database, 7, 22) == MIGRATION.ENGAGEMENT_22
        assert database.cursor().execute("select target_indicative from indicators "
                                         "where indicator_code = 'ATTENTE_GUICHET'").fetchone()[0]
    edited = "Texte adopté par le COPIL national le 3 mars 2026"
    _database_before_0021(tmp_path / "edited.duckdb", edited_label=edited)
    with Database(tmp_path / "edited.duckdb") as database:
        assert _label(database, 7, 22) == edited


def test_an_indicative_target_is_never_an_objectif_on_the_poster_until_confirmed(demo_db):
    scope = national_scope(demo_db)

    def poster_texts():
        data = pack_data.load_pack_data(demo_db, scope, "87", date(2025, 1, 1), DEMO_END_MONTH)
        return data, [a.text for a in figures.poster_figure(data).layout.annotations]

    data, texts = poster_texts()
    waiting = next(i for i in pack_data.poster_figures(data) if i["code"] == "ATTENTE_GUICHET")
    assert waiting["target"] is None and waiting["met"] is None
    confirmed = next(i for i in pack_data.poster_figures(data) if i["code"] == "COURRIER_DELAI")
    assert f"Objectif : {confirmed['target']} ({confirmed['source']})" in texts  # the target in force, its source
    assert sum(t.startswith("Objectif") for t in texts) == len(pack_data.poster_figures(data)) - 1 + (
        1 if any("Usagers satisfaits" in t for t in texts) else 0)
    # Labelled "indicative" in the pack's tables and chart legends.
    row = pack_data.key_figures(data).set_index("Indicateur").loc[waiting["label"]]
    assert row["Cible"] == "≤ 20\u00a0min (indicative) (référentiel national)"  # the target in force, its source
    with pytest.raises(referentiel_edit.ReferentielError):
        referentiel_edit.confirm_target(demo_db, "COURRIER_DELAI", actor="admin@example.fr")
    referentiel_edit.confirm_target(demo_db, "ATTENTE_GUICHET", actor="admin@example.fr")
    data, texts = poster_texts()
    now = next(i for i in pack_data.poster_figures(data) if i["code"] == "ATTENTE_GUICHET")
    assert now["target"] and f"Objectif : {now['target']} ({now['source']})" in texts
    audit = demo_db.cursor().execute("select actor, action, entity, key from audit_log "
                                     "where key = 'ATTENTE_GUICHET'").fetchall()
    assert audit == [("admin@example.fr", "confirmation de la cible", "indicateur", "ATTENTE_GUICHET")]


def test_an_administrators_new_target_is_not_indicative(demo_db):
    row = demo_db.cursor().execute("select * from indicators where indicator_code = 'DECROCHE_5_SONNERIES'").df()
    item = row.iloc[0]
    ind = referentiel_edit.clean_indicator(
        indicator_code=item.indicator_code, indicator_label=item.indicator_label, module=int(item.module),
        engagement=int(item.engagement), unit=item.unit, direction=item.direction, target="85",
        frequency=item.frequency, target_source=item.target_source)
    referentiel_edit.save_indicator(demo_db, ind, actor="admin@example.fr", new=False)
    assert not demo_db.cursor().execute("select target_indicative from indicators "
                                        "where indicator_code = 'DECROCHE_5_SONNERIES'").fetchone()[0]


def test_alerts_and_trends_say_cible_indicative():
    assert fmt.target(90, "%", "hausse", indicative=True) == "Cible indicative : ≥ 90\u00a0%"
    assert alerts._target(90, "%", "hausse", True) == "Cible indicative : ≥ 90\u00a0%"
