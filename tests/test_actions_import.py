"""The plan d'actions' Excel round trip: the download imports back (kind `actions`), a changed cell changes
the action, a row without id creates one, and bad files are refused with the row and column named and
nothing written (real xlsx files, real DuckDB)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import date

import openpyxl
import pytest

from qualepref import actions_store, ingest, sql
from qualepref.access import Principal, Role
from qualepref.ingest import actions_kind
from tests.conftest import ROOT, national_scope, table_contents

REFERENT = Principal("ref87@interieur.gouv.fr", Role.REFERENT, "87")


def scope_of(principal, db):
    with db.cursor() as cur:
        parents = dict(cur.execute("select site_code, parent_code from sites where active").fetchall())
    return principal.scope(parents)


def download(db, scope) -> bytes:
    return actions_kind.to_xlsx(sql.run(db, "actions", scope=scope))


def edited(content: bytes, changes: dict[tuple[int, str], object], extra_rows: list[dict] | None = None) -> bytes:
    """The workbook with cells changed by (row, header) and rows added (header → value)."""
    wb = openpyxl.load_workbook(io.BytesIO(content))
    ws = wb.active
    columns = {cell.value: cell.column for cell in ws[1]}
    for (row, header), value in changes.items():
        ws.cell(row=row, column=columns[header], value=value)
    for extra in extra_rows or []:
        row = ws.max_row + 1
        for header, value in extra.items():
            ws.cell(row=row, column=columns[header], value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def analyse(db, content: bytes, scope, **options):
    return ingest.analyse(content, "plan.xlsx", db=db, scope=scope, kind="actions", **options)


def test_the_download_imports_back_unchanged_then_a_change_and_a_new_row(demo_db):
    scope = scope_of(REFERENT, demo_db)
    content = download(demo_db, scope)
    plan = ingest.analyse(content, "plan.xlsx", db=demo_db, scope=scope)  # recognised without --kind
    assert plan.ok, plan.errors
    assert plan.kind == "actions" and plan.changes_nothing
    stored = sql.run(demo_db, "actions", scope=scope)
    first = stored.iloc[0]
    changed = edited(content, {(2, "Statut"): "Abandonnée", (2, "Réalisée le"): date(2026, 10, 20),
                               (2, "Commentaire"): "Remplacée par une action nationale"},
                     [{"Site": "87", "Intitulé": "Affichage des délais au guichet", "Statut": "à lancer",
                       "Échéance": date(2027, 2, 1), "Pilote": "Accueil général", "Décidée le": date(2026, 10, 2)}])
    plan = analyse(demo_db, changed, scope)
    assert plan.ok, plan.errors
    assert (plan.total.new, plan.total.replaced) == (1, 1)
    result = ingest.commit(plan, db=demo_db, scope=scope, uploaded_by=REFERENT.user)
    assert (result.rows_written, result.rows_replaced) == (2, 1)
    after = sql.run(demo_db, "actions", scope=scope).set_index("action_id")
    row = after.loc[int(first.action_id)]
    assert (row.status, row.comment, str(row.done_on)[:10]) == ("abandonnee", "Remplacée par une action nationale",
                                                                "2026-10-20")
    assert row.title == first.title  # cells left as they were change nothing
    new = after[after.title == "Affichage des délais au guichet"].iloc[0]
    assert (new.site_code, new.status, new.owner) == ("87", "a_lancer", "Accueil général")
    changes = sql.run(demo_db, "action_changes", scope=scope)
    assert (changes.change == "import").sum() == 2
    # The same file again creates nothing twice: its new row is now a stored action, named by its number.
    again = analyse(demo_db, changed, scope)
    assert not again.ok
    [error] = again.errors
    assert (error.row, error.column.split(" ")[1]) == (len(stored) + 2, "(Intitulé)")
    assert f"n° {int(new.name)}" in error.message and "existe déjà" in error.message
    assert ingest.commit(analyse(demo_db, download(demo_db, scope), scope), db=demo_db, scope=scope,
                         uploaded_by=REFERENT.user).unchanged


def _other_prefectures_action(db) -> int:
    frame = sql.run(db, "actions", scope=national_scope(db))
    return int(frame[frame.site_code == "29"].action_id.iloc[0])


BAD = {
    "id inconnu": ({(2, "N°"): 99999}, [], 2, "N°", "inconnue"),
    "numéro illisible": ({(2, "N°"): "douze"}, [], 2, "N°", "non reconnu"),
    "date impossible": ({(2, "Décidée le"): "32/13/2025"}, [], 2, "Décidée le", "non reconnue"),
    "statut inconnu": ({(2, "Statut"): "bientôt fini"}, [], 2, "Statut", "Statut inconnu"),
    "échéance avant la décision": ({(2, "Échéance"): date(2001, 1, 1)}, [], 2, "Échéance", "antérieure"),
    "réalisée sans date": ({}, [{"Site": "87", "Intitulé": "x", "Statut": "Réalisée"}], "last", "Réalisée le",
                           "obligatoire"),
    "site d'une autre préfecture": ({}, [{"Site": "29", "Intitulé": "x", "Statut": "En cours"}], "last", "Site",
                                    "périmètre"),
    "site changé": ({(2, "Site"): "87011"}, [], 2, "Site", "ne change pas"),
    "module inconnu": ({(2, "Module"): 42}, [], 2, "Module", "Module inconnu"),
    "nouvelle action sans intitulé": ({}, [{"Site": "87", "Statut": "En cours", "Pilote": "BLI"}], "last",
                                      "Intitulé", "obligatoire"),
    "origine inconnue": ({(2, "Origine"): "hasard"}, [], 2, "Origine", "Origine inconnue"),
    "clé d'origine mal formée": ({}, [{"Site": "87", "Intitulé": "x", "Statut": "En cours", "Origine": "Enquête",
                                       "Clé d'origine": "ACCUEIL"}], "last", "Clé d'origine", "campagne"),
    "réalisée dans le futur": ({(2, "Statut"): "Réalisée", (2, "Réalisée le"): date(2099, 1, 1)}, [], 2,
                               "Réalisée le", "futur"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_plan_is_refused_with_its_row_and_column_and_nothing_is_written(demo_db, case):
    scope = scope_of(REFERENT, demo_db)
    changes, rows, row, column, message = BAD[case]
    content = edited(download(demo_db, scope), changes, rows)
    before = table_contents(demo_db)
    plan = analyse(demo_db, content, scope)
    assert not plan.ok
    wb = openpyxl.load_workbook(io.BytesIO(content))
    expected_row = wb.active.max_row if row == "last" else row
    located = [e for e in plan.errors if e.row == expected_row and e.column and column in e.column]
    assert located and message in located[0].message, [e.as_dict() for e in plan.errors]
    assert located[0].sheet == "Plan d'actions"
    with pytest.raises(ingest.IngestError):
        ingest.commit(plan, db=demo_db, scope=scope, uploaded_by=REFERENT.user)
    assert table_contents(demo_db) == before


def test_an_action_of_another_prefecture_is_named_as_such_and_the_duplicate_id_too(demo_db):
    scope = scope_of(REFERENT, demo_db)
    content = download(demo_db, scope)
    first_id = openpyxl.load_workbook(io.BytesIO(content)).active.cell(row=2, column=1).value
    content = edited(content, {(3, "N°"): _other_prefectures_action(demo_db)},
                     [{"N°": first_id, "Intitulé": "Doublon", "Statut": "En cours"}])
    plan = analyse(demo_db, content, scope)
    messages = {(e.row, e.message.split(" :")[0]) for e in plan.errors}
    last = openpyxl.load_workbook(io.BytesIO(content)).active.max_row
    assert any(r == 3 and "n'est pas dans votre périmètre (action d'une autre préfecture)" in m for r, m in messages) \
        or any(r == 3 and "autre préfecture" in e.message for e in plan.errors for r in [e.row])
    assert any(e.row == last and "figure déjà ligne 2" in e.message for e in plan.errors)
    # Nothing of the other prefecture's action is shown (neither its title nor its site).
    other = sql.run(demo_db, "actions", scope=national_scope(demo_db))
    title = other[other.action_id == _other_prefectures_action(demo_db)].title.iloc[0]
    assert not any(title in (e.value or "") + e.message for e in plan.errors)


def _cli(path, db_path, *args):
    env = dict(os.environ, QUALEPREF_DB=str(db_path))
    return subprocess.run([sys.executable, "-m", "qualepref", "import", str(path), "--kind", "actions", *args,
                           "--json"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)


def test_the_command_line_imports_a_plan_with_the_same_report_and_exit_codes(demo_db_path, tmp_path):
    from qualepref.db import Database

    with Database(demo_db_path) as db:
        scope = scope_of(REFERENT, db)
        content = download(db, scope)
    good = tmp_path / "plan.xlsx"
    good.write_bytes(edited(content, {}, [{"Intitulé": "Point d'accueil numérique", "Statut": "En cours",
                                           "Décidée le": date(2026, 9, 1)}]))
    bad = tmp_path / "plan-faux.xlsx"
    bad.write_bytes(edited(content, {(2, "Statut"): "peut-être"}))
    refused = _cli(bad, demo_db_path, "--site", "87")
    assert refused.returncode == 1, refused.stderr
    report = json.loads(refused.stdout)
    assert report["ok"] is False and report["kind"] == "actions" and report["rows_written"] == 0
    assert report["errors"][0]["row"] == 2 and "Statut" in report["errors"][0]["column"]
    dry = _cli(good, demo_db_path, "--site", "87", "--dry-run")
    assert dry.returncode == 0 and json.loads(dry.stdout)["rows_written"] == 1
    done = _cli(good, demo_db_path, "--site", "87")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) | {"warnings": []} == {"ok": True, "kind": "actions", "rows_written": 1,
                                                          "rows_replaced": 0, "errors": [], "warnings": []}
    with Database(demo_db_path) as db:
        new = sql.run(db, "actions", scope=national_scope(db))
        new = new[new.title == "Point d'accueil numérique"]
        assert new.site_code.tolist() == ["87"]
        assert actions_store.existing_ids(db.cursor(), new.action_id) == set(new.action_id)


def test_an_import_of_the_plan_is_not_undone_from_the_history(demo_db):
    from qualepref import undo

    scope = scope_of(REFERENT, demo_db)
    content = edited(download(demo_db, scope), {(2, "Commentaire"): "Point fait au COPIL"})
    result = ingest.commit(analyse(demo_db, content, scope), db=demo_db, scope=scope, uploaded_by=REFERENT.user)
    with pytest.raises(undo.UndoError, match="plan d'actions ne s'annule pas"):
        undo.plan(demo_db, scope, result.upload_id)
