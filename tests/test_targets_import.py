"""Import kind `cibles` (issue 15): CLI, exit codes, JSON report, one transaction, cell-precise errors, template."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import date

import openpyxl

from qualepref import ingest, sql, targets, template
from qualepref.access import Principal, Role
from qualepref.db import Database
from qualepref.ingest import samples
from tests.conftest import ROOT, national_scope

HEADERS = ["Indicateur", "Site", "Cible", "Strict", "Valable du", "Valable au", "Source"]


def _cli(db_path, *args):
    env = {**os.environ, "QUALEPREF_DB": str(db_path)}
    return subprocess.run([sys.executable, "-m", "qualepref", "import", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def _targets(db_path) -> list[tuple]:
    with Database(db_path) as database, database.cursor() as cur:
        return cur.execute("select indicator_code, site_code, target, strict, valid_from, valid_to, source "
                           "from v_targets where site_code is not null or valid_from is not null "
                           "order by all").fetchall()


def test_a_targets_file_through_the_command_line_then_again(db_path, tmp_path):
    path = samples.write_rows_xlsx(tmp_path / "cibles.xlsx", {"Cibles": [
        HEADERS,
        ["Délai moyen de réponse aux courriers", "87", 10, "oui", date(2026, 1, 1), None, "COPIL du 15/12/2025"],
        ["COURRIEL_DELAI", "", "4", "non", "01/07/2026", "", "Référentiel national 2026"],
        ["Seuil de satisfaction", "Haute-Vienne", "80", "", "01/01/2026", "", "Politique qualité de la Haute-Vienne"],
    ]})
    first = _cli(db_path, path, "--kind", "cibles", "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {"ok": True, "kind": "cibles", "rows_written": 3, "rows_replaced": 0,
                                        "errors": [], "warnings": []}
    assert _targets(db_path) == [
        ("COURRIEL_DELAI", None, 4.0, False, date(2026, 7, 1), None, "Référentiel national 2026"),
        ("COURRIER_DELAI", "87", 10.0, True, date(2026, 1, 1), None, "COPIL du 15/12/2025"),
        ("SATISFACTION", "87", 80.0, False, date(2026, 1, 1), None, "Politique qualité de la Haute-Vienne")]
    with Database(db_path) as database:
        rows = sql.run(database, "target_rows", scope=national_scope(database))
        uploads = database.cursor().execute("select kind, rows_written from uploads").fetchall()
    assert targets.in_force(rows, "COURRIEL_DELAI", "29", date(2026, 6, 30)).target == 5.0  # until the day before
    assert targets.in_force(rows, "COURRIEL_DELAI", "29", date(2026, 7, 1)).target == 4.0
    assert targets.satisfaction_threshold(rows, "87", date(2026, 3, 1)).target == 80.0
    assert uploads == [("cibles", 3)]
    again = _cli(db_path, path, "--kind", "cibles")  # the same file again: nothing changes
    assert again.returncode == 0 and "Aucun changement" in again.stdout, again.stdout
    assert len(_targets(db_path)) == 3
    # Recognised without --kind too (its headers say what it is).
    assert json.loads(_cli(db_path, path, "--dry-run", "--json").stdout)["kind"] == "cibles"


def test_errors_name_the_cell_and_nothing_is_written(db_path, tmp_path):
    path = samples.write_rows_xlsx(tmp_path / "cibles.xlsx", {"Feuil1": [
        HEADERS,
        ["Délai inventé", "87", 10, "oui", "01/01/2026", "", "COPIL"],
        ["COURRIER_DELAI", "99", 10, "oui", "01/01/2026", "", "COPIL"],
        ["COURRIER_DELAI", "87", "dix", "oui", "01/01/2026", "", "COPIL"],
        ["COURRIER_DELAI", "87", 10, "peut-être", "01/01/2026", "", "COPIL"],
        ["COURRIER_DELAI", "87", 10, "oui", "bientôt", "", "COPIL"],
        ["COURRIER_DELAI", "29", 10, "oui", "01/01/2026", "31/12/2025", "COPIL"],
        ["COURRIER_DELAI", "33", 10, "oui", "01/01/2026", "", ""],
        ["APPELS_PERDUS", "87", 120, "non", "", "", "COPIL"],
        ["Nombre de réclamations et suggestions reçues", "87", 3, "non", "", "", "COPIL"],
        ["COURRIEL_DELAI", "87", 3, "non", "01/02/2026", "", "COPIL"],
        ["COURRIEL_DELAI", "87", 4, "non", "01/02/2026", "", "COPIL"],
    ]})
    result = _cli(db_path, path, "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    cells = [(e["row"], e["column"], e["value"]) for e in report["errors"]]
    assert cells == [(2, "A (Indicateur)", "Délai inventé"), (3, "B (Site)", "99"), (4, "C (Cible)", "dix"),
                     (5, "D (Strict)", "peut-être"), (6, "E (Valable du)", "bientôt"),
                     (7, "F (Valable au)", "31/12/2025"), (8, "G (Source)", None), (9, "C (Cible)", "120"),
                     (10, "A (Indicateur)", "Nombre de réclamations et suggestions reçues"),
                     (12, "E (Valable du)", "01/02/2026")], report["errors"]
    assert "ligne 11" in report["errors"][-1]["message"]
    assert _targets(db_path) == []


def test_a_referents_file_is_a_proposal_and_cannot_touch_national_targets(db, tmp_path):
    scope = Principal("ref87@interieur.gouv.fr", Role.REFERENT, site_code="87").scope(national_scope(db).site_codes)
    content = samples.write_rows_xlsx(tmp_path / "c.xlsx", {"Cibles": [
        HEADERS, ["COURRIER_DELAI", "", 10, "oui", "01/01/2026", "", "COPIL"],
        ["COURRIER_DELAI", "29", 10, "oui", "01/01/2026", "", "COPIL"]]}).read_bytes()
    plan = ingest.analyse(content, "c.xlsx", db=db, scope=scope)
    assert [(e.row, e.message.split(" :")[0]) for e in plan.errors] == [
        (2, "Une cible nationale (site vide) est fixée par l'administrateur"),
        (3, "Le site 29 n'est pas dans votre périmètre.")]
    content = samples.write_rows_xlsx(tmp_path / "d.xlsx", {"Cibles": [
        HEADERS, ["COURRIER_DELAI", "87", 10, "oui", "01/01/2026", "", "COPIL"]]}).read_bytes()
    plan = ingest.analyse(content, "d.xlsx", db=db, scope=scope)
    assert plan.ok, plan.errors
    ingest.commit(plan, db=db, scope=scope, uploaded_by="ref87@interieur.gouv.fr")
    local = sql.run(db, "target_local_rows", scope=scope)
    assert local[["indicator_code", "status", "proposed_by"]].values.tolist() == [
        ["COURRIER_DELAI", "proposed", "ref87@interieur.gouv.fr"]]
    rows = sql.run(db, "target_rows", scope=scope)
    assert targets.in_force(rows, "COURRIER_DELAI", "87", date(2026, 2, 1)).target == 15.0  # waits for approval


def test_the_template_has_the_targets_sheet_and_imports_back_empty(db):
    indicators = sql.run(db, "referentiel_indicators", scope=national_scope(db))
    book = openpyxl.load_workbook(io.BytesIO(template.build_targets(indicators)))
    assert [c.value for c in book["Cibles"][1]] == HEADERS
    assert "--kind cibles" in " ".join(str(c.value) for c in book["Instructions"]["A"] if c.value)
    plan = ingest.analyse(template.build_targets(indicators), "modele.xlsx", db=db, scope=national_scope(db),
                          kind="cibles")
    assert [e.message for e in plan.errors] == ["Le fichier ne contient aucune cible."]
