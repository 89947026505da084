"""Undoing a confirmed import (issue 17 §4): the values it replaced come back, cells a later import
changed keep their value (and undoing that one too goes back to before both), scope and profile
checked, audited."""

from __future__ import annotations

import json

import pytest

from qualepref import auth, undo
from qualepref.access import Principal, Role
from qualepref.ingest import samples
from tests.conftest import table_contents
from tests.test_ingest_support import import_file, indicator_rows, survey_rows

LONG = ["Site", "Indicateur", "Période", "Valeur"]
ADMIN = Principal("admin@interieur.gouv.fr", Role.ADMIN)


def _scope(db, principal):
    with db.cursor() as cur:
        codes = [r[0] for r in cur.execute("select site_code from sites").fetchall()]
    return principal.scope(codes)


def _file(tmp_path, name, rows):
    return samples.write_rows_xlsx(tmp_path / name, {"Indicateurs": [LONG, *rows]})


def test_undo_brings_back_what_the_import_replaced_and_deleted(db, tmp_path):
    import_file(db, _file(tmp_path, "janvier.xlsx", [["87", "COURRIER_DELAI", "2025-01", 14],
                                                     ["87", "COURRIEL_DELAI", "2025-01", 4]]))
    before = indicator_rows(db)
    _, second = import_file(db, _file(tmp_path, "correction.xlsx", [
        ["87", "COURRIER_DELAI", "2025-01", 12.5],  # replaces 14
        ["87", "COURRIEL_DELAI", "2025-01", "NC"],  # deletes 4
        ["87", "COURRIER_DELAI", "2025-02", 11]]))  # new
    assert indicator_rows(db) != before
    scope = _scope(db, ADMIN)
    preview = undo.plan(db, scope, second.upload_id)
    assert (preview.restored, preview.kept) == (3, 0)
    undo.undo(db, scope, second.upload_id, actor=ADMIN.user)
    assert indicator_rows(db) == before
    with db.cursor() as cur:
        undone_by, = cur.execute("select undone_by from uploads where upload_id = ?", [second.upload_id]).fetchone()
    assert undone_by == ADMIN.user
    history = auth.audit_history(db, entities=("import",))
    assert history.action.tolist() == ["annulation"] and history.key.tolist() == [str(second.upload_id)]
    assert json.loads(history.after.iloc[0])["valeurs_rétablies"] == 3
    with pytest.raises(undo.UndoError, match="déjà été annulé"):
        undo.undo(db, scope, second.upload_id, actor=ADMIN.user)
    # The same file may then be imported again (it is no longer « déjà importé »).
    plan, again = import_file(db, _file(tmp_path, "correction.xlsx", [
        ["87", "COURRIER_DELAI", "2025-01", 12.5], ["87", "COURRIEL_DELAI", "2025-01", "NC"],
        ["87", "COURRIER_DELAI", "2025-02", 11]]))
    assert not plan.already_imported and again.rows_written == 2


def test_cells_a_later_import_changed_keep_their_value(db, tmp_path):
    _, first = import_file(db, _file(tmp_path, "a.xlsx", [["87", "COURRIER_DELAI", "2025-01", 14]]))
    _, second = import_file(db, _file(tmp_path, "b.xlsx", [["87", "COURRIER_DELAI", "2025-01", 12],
                                                           ["87", "COURRIER_DELAI", "2025-02", 10]]))
    _, third = import_file(db, _file(tmp_path, "c.xlsx", [["87", "COURRIER_DELAI", "2025-01", 9]]))
    scope = _scope(db, ADMIN)
    preview = undo.plan(db, scope, second.upload_id)
    assert (preview.restored, preview.kept, preview.later_uploads) == (1, 1, (third.upload_id,))
    assert f"n° {third.upload_id}" in preview.sentence
    undo.undo(db, scope, second.upload_id, actor=ADMIN.user)
    # January keeps the third import's 9; February (only the second's) is gone.
    assert indicator_rows(db) == [("87", "COURRIER_DELAI", "2025-01-01", "month", 9.0)]
    # Undoing the third then goes back to the first import's 14, as if the second never happened.
    undo.undo(db, scope, third.upload_id, actor=ADMIN.user)
    assert indicator_rows(db) == [("87", "COURRIER_DELAI", "2025-01-01", "month", 14.0)]
    undo.undo(db, scope, first.upload_id, actor=ADMIN.user)
    assert indicator_rows(db) == []


def test_undo_of_a_survey_and_of_an_import_over_demonstration_values(demo_db, tmp_path):
    before = table_contents(demo_db)
    scope = _scope(demo_db, ADMIN)
    frame_rows = [["Site", "Campagne", "Question", "Très satisfait", "Satisfait", "Peu satisfait",
                   "Pas du tout satisfait", "Sans avis"], ["87", 2025, "GLOBAL", 1, 1, 1, 1, 1]]
    path = samples.write_rows_xlsx(tmp_path / "enquete.xlsx", {"Enquête": frame_rows})
    plan, result = import_file(demo_db, path)
    assert plan.attention and "démonstration" in plan.attention[-1].message
    assert ("87", "2025", "GLOBAL", 1, 1, 1, 1, 1, 4, 0.5) in survey_rows(demo_db)
    undo.undo(demo_db, scope, result.upload_id, actor=ADMIN.user)
    after = table_contents(demo_db)
    for table in ("indicator_values", "survey_results", "compliance_assessments"):
        assert after[table] == before[table], table


def test_a_referent_undoes_only_its_own_prefectures_imports(db, tmp_path):
    _, national = import_file(db, _file(tmp_path, "deux.xlsx", [["87", "COURRIER_DELAI", "2025-01", 14],
                                                                ["29", "COURRIER_DELAI", "2025-01", 9]]))
    referent = Principal("referent87@interieur.gouv.fr", Role.REFERENT, "87")
    with pytest.raises(undo.UndoError, match="hors de votre périmètre"):
        undo.undo(db, _scope(db, referent), national.upload_id, actor=referent.user)
    copil = Principal("copil87@interieur.gouv.fr", Role.COPIL, "87")
    with pytest.raises(undo.UndoError, match="pas d'annuler"):
        undo.plan(db, _scope(db, copil), national.upload_id)
    assert len(indicator_rows(db)) == 2
