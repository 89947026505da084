"""Import kinds `labellisation` (périmètre, stages, findings) and `sites`: the same command line, exit
codes, JSON report and single transaction as the other kinds; real xlsx files written and read back."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import date

import openpyxl
import pytest

from qualepref import auth, ingest, template
from qualepref.access import Principal, Role
from qualepref.db import Database
from qualepref.ingest import samples
from tests.conftest import ROOT, national_scope, table_contents

PERIMETRE = ["Site", "Module", "Date de la décision", "Retenu", "Décision"]
ETAPES = ["Site", "Étape", "Date", "Organisme", "Date du rapport", "Résultat", "Version du référentiel",
          "Valable jusqu'au", "Prochaine échéance", "Commentaire"]
CONSTATS = ["Site", "Audit", "Date de l'audit", "Nature", "Module", "Engagement", "Constat", "Levée le"]
HISTORY = {
    "Périmètre": [PERIMETRE, ["Haute-Vienne", 1, "01/07/2021", "oui", "COPIL du 01/07/2021"],
                  ["87", 7, "01/07/2021", "oui", "COPIL du 01/07/2021"],
                  ["87", 4, "01/07/2021", "oui", "COPIL du 01/07/2021"],
                  ["87", 4, "19/10/2021", "non", "COPIL du 19/10/2021"]],
    "Étapes": [ETAPES, ["87", "Engagement", "01/07/2021", None, None, None, None, None, None, "COPIL du 01/07/2021"],
               ["87", "Auto-évaluation", "15/09/2021", None, None, None, None, None, None, None],
               ["87", "Enquête mystère", "10/03/2022", None, None, None, None, None, None, None],
               ["87", "Audit interne", "02/05/2022", "AFNOR Certification", None, None, None, None, None, None],
               ["87", "Audit externe", "15/06/2022", "AFNOR Certification", "28/06/2022", "favorable", None, None,
                None, None],
               ["87", "Décision", "12/07/2022", "AFNOR Certification", None, "favorable", "Qual-e-Pref 2018",
                "12/07/2025", None, None]],
    "Constats": [CONSTATS, ["87", "Audit externe", "15/06/2022", "Point fort", None, None,
                            "Accès des personnes à mobilité réduite très satisfaisant", None],
                 ["87", "Audit externe", "15/06/2022", "Non-conformité", 1, 14,
                  "Délai de réponse aux courriels supérieur à l'engagement", None],
                 ["87", "Audit interne", "02/05/2022", "Piste d'amélioration", None, None,
                  "Réunir le comité local des usagers", None]],
}


def _cli(db_path, *args):
    env = {**os.environ, "QUALEPREF_DB": str(db_path)}
    return subprocess.run([sys.executable, "-m", "qualepref", "import", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def _rows(database, query):
    with database.cursor() as cur:
        return cur.execute(query).fetchall()


def test_the_national_history_loads_in_one_file_and_a_second_import_changes_nothing(db_path, tmp_path):
    Database(db_path).close()
    path = samples.write_rows_xlsx(tmp_path / "historique.xlsx", HISTORY)
    first = _cli(db_path, path, "--kind", "labellisation", "--json")
    assert first.returncode == 0, first.stdout + first.stderr
    report = json.loads(first.stdout)
    assert report == {"ok": True, "kind": "labellisation", "rows_written": 13, "rows_replaced": 0, "errors": [],
                      "warnings": []}
    with Database(db_path) as database:
        assert _rows(database, "select module, since, until, decision from v_site_modules where site_code = '87' "
                               "order by module") == [
            (1, date(2021, 7, 1), None, "COPIL du 01/07/2021"),
            (4, date(2021, 7, 1), date(2021, 10, 19), "COPIL du 01/07/2021"),
            (7, date(2021, 7, 1), None, "COPIL du 01/07/2021")]
        # The decision without a next due date gets the annual follow-up.
        assert _rows(database, "select event_kind, result, next_due from v_label_events where event_kind = "
                               "'decision'") == [("decision", "favorable", date(2023, 7, 12))]
        ids = _rows(database, "select event_id, event_kind from label_events order by event_id")
        findings = _rows(database, "select finding_id, event_id, finding_kind from audit_findings order by 1")
        assert len(findings) == 3
        before = table_contents(database)
    again = _cli(db_path, path)  # --kind auto recognises the file
    assert again.returncode == 0 and "Aucun changement" in again.stdout, again.stdout
    with Database(db_path) as database:
        assert table_contents(database) == before
    # A corrected stage keeps its id, and its findings stay attached.
    HISTORY_FIXED = {**HISTORY, "Étapes": [ETAPES, [*HISTORY["Étapes"][5][:3], "Bureau Veritas Certification",
                                                     *HISTORY["Étapes"][5][4:]]]}
    fixed = samples.write_rows_xlsx(tmp_path / "correction.xlsx", {"Étapes": HISTORY_FIXED["Étapes"]})
    third = _cli(db_path, fixed, "--json")
    assert json.loads(third.stdout)["rows_replaced"] == 1, third.stdout
    with Database(db_path) as database:
        assert _rows(database, "select event_id, event_kind from label_events order by event_id") == ids
        assert _rows(database, "select finding_id, event_id, finding_kind from audit_findings order by 1") == findings
        assert _rows(database, "select organisme from label_events where event_kind = 'audit_externe'") == [
            ("Bureau Veritas Certification",)]
        assert _rows(database, "select kind from uploads order by upload_id") == [("labellisation",)] * 2


BAD = {
    "Étapes": [ETAPES, ["87", "Visite du préfet", "01/02/2024"] + [None] * 7,  # unknown stage
               ["87", "Audit externe", "32/13/2024"] + [None] * 7,  # bad date
               ["87", "Engagement", "01/02/2099"] + [None] * 7,  # only audits may be planned
               ["99", "Audit interne", "01/02/2024"] + [None] * 7,  # unknown site
               ["87", "Audit externe", "01/02/2024", None, None, "bof", None, None, None, None]],
    "Constats": [CONSTATS, ["87", "Audit externe", "03/03/2023", "Non-conformité", 1, 99, "Texte", None]],
    "Périmètre": [PERIMETRE, ["87", 12, "01/07/2021", "oui", None], ["87", 1, "01/07/2021", "non", None]],
}


def test_a_bad_file_is_refused_with_every_cell_named_and_nothing_written(db_path, tmp_path):
    path = samples.write_rows_xlsx(tmp_path / "faux.xlsx", BAD)
    with Database(db_path) as database:
        before = table_contents(database)
    result = _cli(db_path, path, "--kind", "labellisation", "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert not report["ok"] and report["rows_written"] == 0
    found = {(e["sheet"], e["row"], (e["column"] or "")[:1]) for e in report["errors"]}
    assert {("Étapes", 2, "B"), ("Étapes", 3, "C"), ("Étapes", 4, "C"), ("Étapes", 5, "A"), ("Étapes", 6, "F"),
            ("Constats", 2, "F"), ("Périmètre", 2, "B"), ("Périmètre", 3, "D")} <= found, report["errors"]
    messages = " ".join(e["message"] for e in report["errors"])
    assert "Étape inconnue" in messages and "programmés" in messages and "obligatoire" in messages
    with Database(db_path) as database:
        assert table_contents(database) == before  # not even a history row


def test_a_finding_needs_its_audit(db_path, tmp_path):
    path = samples.write_rows_xlsx(tmp_path / "constat.xlsx", {"Constats": [
        CONSTATS, ["87", "Audit externe", "15/06/2022", "Point fort", None, None, "Accueil", None]]})
    result = _cli(db_path, path, "--json")
    assert result.returncode == 1
    (error,) = json.loads(result.stdout)["errors"]
    assert error["row"] == 2 and error["column"].startswith("C") and "Aucun « Audit externe" in error["message"]


def test_a_referent_imports_for_its_site_and_its_sub_prefectures_only(demo_db, tmp_path):
    parents = dict(_rows(demo_db, "select site_code, parent_code from sites where active"))
    assert {"87011", "87126"} <= {c for c, p in parents.items() if p == "87"}
    scope = Principal("r@x.fr", Role.REFERENT, "87").scope(parents)
    rows = {"Étapes": [ETAPES, ["Bellac", "Audit interne", "02/05/2024"] + [None] * 7,
                       ["29", "Audit interne", "02/05/2024"] + [None] * 7]}
    content = samples.write_rows_xlsx(tmp_path / "etapes.xlsx", rows).read_bytes()
    plan = ingest.analyse(content, "etapes.xlsx", db=demo_db, scope=scope, kind="labellisation")
    assert [(e.row, e.message) for e in plan.errors] == [(3, "Le site 29 n'est pas dans votre périmètre.")]
    sites_plan = ingest.analyse(content, "etapes.xlsx", db=demo_db, scope=scope, kind="sites")
    assert not sites_plan.ok


SITES = [["Code", "Type", "Nom", "Article", "Rattachement", "Ville", "Région", "Longitude", "Latitude", "Actif"],
         ["76351", "sous-préfecture", "Le Havre", "le", "76", "Le Havre", None, "0,1079", "49,4944", "oui"],
         ["987", "haut-commissariat", "Polynésie française", None, None, "Papeete", "COM", None, None, "oui"]]


def test_sites_import_creates_and_edits_sites_audited(db_path, tmp_path):
    path = samples.write_rows_xlsx(tmp_path / "sites.xlsx", {"Sites": SITES})
    result = _cli(db_path, path, "--kind", "sites", "--json")
    assert result.returncode == 0, result.stdout
    assert json.loads(result.stdout)["rows_written"] == 2
    with Database(db_path) as database:
        assert _rows(database, "select site_code, site_kind, parent_code, region_code, tncc, lon from sites "
                               "where site_code in ('76351', '987') order by 1") == [
            ("76351", "sous_prefecture", "76", "28", 2, 0.1079), ("987", "haut_commissariat", None, "COM", 0, None)]
        assert _rows(database, "select count(*) from v_sites where site_code in ('76351', '987')") == [(2,)]
        history = auth.audit_history(database, entities=("site",))
        assert sorted(zip(history.action, history.key, strict=True)) == [("création", "76351"),
                                                                         ("modification", "987")]
    bad = samples.write_rows_xlsx(tmp_path / "sites-faux.xlsx", {"Sites": [
        SITES[0], ["12345", "sous-préfecture", "X", "de", "87011", "X", "75", None, None, "oui"],
        ["ABC", "préfecture", "Y", "la", None, "Y", "75", None, None, "oui"]]})
    refused = _cli(db_path, bad, "--kind", "sites", "--json")
    assert refused.returncode == 1
    messages = [e["message"] for e in json.loads(refused.stdout)["errors"]]
    assert any("n'est pas une préfecture" in m for m in messages) and any("Code « ABC »" in m for m in messages)


def test_the_labelling_template_filled_in_imports(db, tmp_path):
    workbook = openpyxl.load_workbook(io.BytesIO(template.build_labelling("87 – Haute-Vienne")))
    assert {"Instructions", "Listes", "Périmètre", "Étapes", "Constats"} <= set(workbook.sheetnames)
    assert [c.value for c in workbook["Étapes"][1]] == ETAPES
    workbook["Étapes"].append(["87", "Audit interne", "02/05/2022", "AFNOR Certification"])
    workbook["Périmètre"].append(["87", 1, "01/07/2021", "oui", "COPIL du 01/07/2021"])
    path = tmp_path / "modele.xlsx"
    workbook.save(path)
    plan = ingest.analyse(path.read_bytes(), path.name, db=db, scope=national_scope(db), kind="auto")
    assert plan.ok and plan.kind == "labellisation", plan.errors
    assert plan.total.new == 2
    sites_book = openpyxl.load_workbook(io.BytesIO(template.build_sites()))
    assert [c.value for c in sites_book["Sites"][1]] == SITES[0]


@pytest.mark.parametrize("kind", ["labellisation", "sites"])
def test_read_only_profiles_cannot_import_these_kinds(demo_db, kind, tmp_path):
    parents = dict(_rows(demo_db, "select site_code, parent_code from sites where active"))
    scope = Principal("m@x.fr", Role.MINISTRY).scope(parents)
    content = samples.write_rows_xlsx(tmp_path / "x.xlsx", {"Sites": SITES}).read_bytes()
    plan = ingest.analyse(content, "x.xlsx", db=demo_db, scope=scope, kind=kind)
    assert not plan.ok and "pas d'en importer" in plan.errors[0].message
