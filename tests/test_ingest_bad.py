"""Bad files: refused (exit 1 / plan not ok), the error points at the right cell, nothing is written."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
import pytest

from qualepref import ingest, store
from qualepref.access import Principal, Role, ScopeError
from qualepref.db import Database
from qualepref.ingest import samples
from tests.conftest import ROOT, table_contents
from tests.test_ingest_support import analyse, import_file, national_scope

LONG = ["Site", "Indicateur", "Période", "Valeur"]
SURVEY = ["Site", "Campagne", "Question", "Très satisfait", "Satisfait", "Peu satisfait", "Pas du tout satisfait",
          "Sans avis"]
COMPLIANCE = ["Site", "Module", "Engagement", "Date d'évaluation", "Type", "Résultat"]
Q_ACCUEIL = "L'accueil a-t-il été attentif et courtois ?"


@dataclass
class Case:
    name: str
    build: object  # (tmp_path) -> path
    sheet: str | None
    row: int | None
    column: str | None
    message: str
    cli: bool = False
    args: dict = field(default_factory=dict)
    env: dict = field(default_factory=dict)
    scope_sites: tuple[str, ...] | None = None


def xlsx(rows, sheet="Feuil1", name="fichier.xlsx"):
    return lambda tmp: samples.write_rows_xlsx(tmp / name, {sheet: rows})


def text_file(text: str, name="fichier.csv", encoding="utf-8"):
    def build(tmp):
        path = tmp / name
        path.write_bytes(text.encode(encoding))
        return path
    return build


def raw_bytes(content: bytes, name: str):
    def build(tmp):
        path = tmp / name
        path.write_bytes(content)
        return path
    return build


def zip_bomb(tmp):
    """110 MB of zeros (declared) beside the sheet: over the 100 MB bound before anything is inflated."""
    path = samples.write_rows_xlsx(tmp / "bombe.xlsx", {"Feuil1": [LONG, ["87", "COURRIER_DELAI", "2025-01", 9]]})
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive, \
            archive.open("xl/media/padding.bin", "w") as out:
        for _ in range(110):
            out.write(b"\0" * 1_048_576)
    return path


def ods(tmp):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    path = tmp / "classeur.ods"
    path.write_bytes(buffer.getvalue())
    return path


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
ENCRYPTED = OLE2 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 2000 + "EncryptionInfo".encode("utf-16-le")

CASES = [
    Case("unknown_indicator", xlsx([LONG, ["87", "COURRIER_DELAI", "2025-01", 9],
                                    ["87", "Délai de réponse aux courriers postaux", "2025-02", 8]]),
         "Feuil1", 3, "B (Indicateur)", "Libellés proches : Délai moyen de réponse aux courriers", cli=True),
    Case("unknown_question", xlsx([SURVEY, ["87", 2025, "Êtes-vous venu en bus ?", 1, 2, 3, 4, 5]], "Enquête"),
         "Enquête", 2, "C (Question)", "Question inconnue"),
    Case("unknown_question_header_in_raw_export",
         xlsx([["Horodatage", Q_ACCUEIL, "Le parking était-il pratique ?"],
               [datetime(2025, 3, 1, 9), "Satisfait", "Peu satisfait"],
               [datetime(2025, 3, 1, 10), "Très satisfait", "Satisfait"],
               [datetime(2025, 3, 1, 11), "Satisfait", "Sans avis"]], "Réponses"),
         "Réponses", 1, "C (Le parking était-il pratique ?)", "Question inconnue", args={"site": "87"}),
    Case("rate_over_100", xlsx([LONG, ["87", "APPELS_PERDUS", "2025-01", "120 %"]]),
         "Feuil1", 2, "D (Valeur)", "Pourcentage hors de 0–100", cli=True),
    Case("negative_value", xlsx([LONG, ["87", "COURRIER_DELAI", "2025-01", 4], ["87", "COURRIER_DELAI", "2025-02",
                                                                               -3]]),
         "Feuil1", 3, "D (Valeur)", "Valeur négative"),
    Case("future_period", xlsx([LONG, ["87", "COURRIER_DELAI", "2027-03", 4]]),
         "Feuil1", 2, "C (Période)", "futur", cli=True),
    Case("conflicting_duplicates", xlsx([LONG, ["87", "COURRIER_DELAI", "2025-01", 4],
                                         ["Haute-Vienne", "COURRIER_DELAI", "janv. 2025", 5]]),
         "Feuil1", 3, "D (Valeur)", "Doublon contradictoire"),
    Case("numbers_under_non_period_header",
         xlsx([["Indicateur", "janv.-25", "févr.-25", "Colonne X"], ["COURRIER_DELAI", 4, 5, 6]], "TDB"),
         "TDB", 1, "D (Colonne X)", "contient des nombres mais son en-tête n'est ni une période", cli=True,
         args={"site": "87"}),
    Case("csv_wrong_field_count", text_file("Site;Indicateur;Période;Valeur\n87;COURRIER_DELAI;2025-01;4\n"
                                            "87;COURRIER_DELAI;2025-02;4;5\n"),
         None, 3, None, "champs", cli=True),
    Case("empty_workbook", xlsx([], "Feuil1"), None, None, None, "vide"),
    Case("empty_csv", raw_bytes(b"", "vide.csv"), None, None, None, "vide", cli=True),
    Case("ambiguous_nc_in_compliance",
         xlsx([COMPLIANCE, ["87", 1, 1, "15/09/2024", "Auto-évaluation", "Conforme"],
               ["87", 1, 2, "15/09/2024", "Auto-évaluation", "NC"]], "Conformité"),
         "Conformité", 3, "F (Résultat)", "ambigu", cli=True),
    Case("title_names_another_site",
         xlsx([["Préfecture de la Gironde — tableau de bord 2025"], [], ["Indicateur", "janv.-25", "févr.-25"],
               ["COURRIER_DELAI", 4, 5]], "TDB"),
         "TDB", 1, None, "titre", cli=True, args={"site": "87"}),
    Case("site_outside_scope", xlsx([LONG, ["87", "COURRIER_DELAI", "2025-01", 4],
                                     ["33", "COURRIER_DELAI", "2025-01", 4]]),
         "Feuil1", 3, "A (Site)", "n'est pas dans votre périmètre (vous pouvez importer pour : 87)",
         scope_sites=("87",)),
    Case("survey_site_outside_scope", xlsx([SURVEY, ["87", "2024", "ACCUEIL_COURTOIS", 1, 1, 1, 1, 1],
                                            ["33", "2024", "ACCUEIL_COURTOIS", 1, 1, 1, 1, 1]], "Enquête"),
         "Enquête", 3, "A (Site)", "La préfecture 33 n'est pas dans votre périmètre (vous pouvez importer pour : 87).",
         scope_sites=("87",)),
    Case("compliance_site_outside_scope", xlsx([COMPLIANCE, ["Gironde", 1, 1, "15/03/2025", "Audit interne",
                                                             "Conforme"]], "Conformité"),
         "Conformité", 2, "A (Site)", "La préfecture 33 n'est pas dans votre périmètre", scope_sites=("87",)),
    Case("chosen_site_outside_scope", text_file("Indicateur;Période;Valeur\nCOURRIER_DELAI;2025-01;4\n"),
         None, 2, None, "La préfecture 33 n'est pas dans votre périmètre", args={"site": "33"}, scope_sites=("87",)),
    Case("unknown_site", xlsx([LONG, ["Atlantide", "COURRIER_DELAI", "2025-01", 4]]),
         "Feuil1", 2, "A (Site)", "Préfecture inconnue", cli=True),
    Case("text_value", xlsx([LONG, ["87", "COURRIER_DELAI", "2025-01", "beaucoup"]]),
         "Feuil1", 2, "D (Valeur)", "non numérique"),
    Case("unknown_period", xlsx([LONG, ["87", "COURRIER_DELAI", "bientôt", 4]]),
         "Feuil1", 2, "C (Période)", "Période non reconnue"),
    Case("old_xls", raw_bytes(OLE2 + b"Workbook".ljust(2000, b"\0"), "ancien.xls"), None, None, None,
         "Ancien format Excel", cli=True),
    Case("password_protected", raw_bytes(ENCRYPTED, "protege.xlsx"), None, None, None, "mot de passe", cli=True),
    Case("zip_bomb", zip_bomb, None, None, None, "anormalement volumineux", cli=True),
    Case("oversized", text_file("Site;Indicateur;Période;Valeur\n" + "87;COURRIER_DELAI;2025-01;4\n" * 2000),
         None, None, None, "maximum autorisé", env={"QUALEPREF_MAX_UPLOAD_MB": "0.01"}),
    Case("ods", ods, None, None, None, "OpenDocument"),
    Case("corrupt_xlsx", raw_bytes(b"PK\x03\x04" + os.urandom(3000), "abime.xlsx"), None, None, None, "endommagé"),
    Case("survey_negative_count", xlsx([SURVEY, ["87", 2025, "GLOBAL", 1, -2, 3, 4, 5]], "Enquête"),
         "Enquête", 2, "E (Satisfait)", "Effectif invalide"),
    Case("survey_fractional_count", xlsx([SURVEY, ["87", 2025, "GLOBAL", 1, 2, "12,5", 4, 5]], "Enquête"),
         "Enquête", 2, "F (Peu satisfait)", "Effectif invalide", cli=True),
    Case("raw_survey_unknown_answer",
         xlsx([["Horodatage", Q_ACCUEIL], [datetime(2025, 3, 1, 9), "Satisfait"], [datetime(2025, 3, 1, 10), "Bof"],
               [datetime(2025, 3, 1, 11), "Très satisfait"]], "Réponses"),
         "Réponses", 3, f"B ({Q_ACCUEIL})", "Réponse non reconnue", args={"site": "87"}),
    Case("raw_survey_without_campaign",
         xlsx([["Motif", Q_ACCUEIL], ["Permis", "Satisfait"], ["Titre", "Peu satisfait"]], "Réponses"),
         "Réponses", 2, None, "Campagne inconnue", args={"site": "87"}),
    Case("compliance_unknown_result",
         xlsx([COMPLIANCE, ["87", 1, 1, "15/09/2024", "Auto-évaluation", "Excellent"]], "Conformité"),
         "Conformité", 2, "F (Résultat)", "Résultat non reconnu"),
    Case("compliance_bad_date",
         xlsx([COMPLIANCE, ["87", 1, 1, "31/02/2024", "Auto-évaluation", "Conforme"]], "Conformité"),
         "Conformité", 2, "D (Date d'évaluation)", "Date d'évaluation non reconnue"),
    Case("compliance_unknown_type",
         xlsx([COMPLIANCE, ["87", 1, 1, "15/09/2024", "Inspection", "Conforme"]], "Conformité"),
         "Conformité", 2, "E (Type)", "Type d'évaluation non reconnu"),
    Case("compliance_unknown_module",
         xlsx([COMPLIANCE, ["87", 12, 1, "15/09/2024", "Audit interne", "Conforme"]], "Conformité"),
         "Conformité", 2, "B (Module)", "Module inconnu"),
    Case("compliance_unknown_engagement",
         xlsx([COMPLIANCE, ["87", 1, 99, "15/09/2024", "Audit interne", "Conforme"]], "Conformité"),
         "Conformité", 2, "C (Engagement)", "Engagement inconnu"),
    Case("compliance_future_date",
         xlsx([COMPLIANCE, ["87", 1, 1, "01/01/2030", "Audit interne", "Conforme"]], "Conformité"),
         "Conformité", 2, "D (Date d'évaluation)", "futur", cli=True),
    Case("month_without_year", xlsx([["Indicateur", "janvier", "février"], ["COURRIER_DELAI", 4, 5]], "TDB"),
         "TDB", 1, "B (janvier)", "Période sans année", args={"site": "87"}),
    Case("no_site_anywhere", xlsx([["Indicateur", "Période", "Valeur"], ["COURRIER_DELAI", "2025-01", 4]]),
         "Feuil1", 2, None, "Aucune préfecture", cli=True),
    Case("binary_csv", raw_bytes(b"\x00\x01\x02binary\x00" * 50, "donnees.csv"), None, None, None,
         "ni un classeur"),
    Case("kind_does_not_match", xlsx([LONG, ["87", "COURRIER_DELAI", "2025-01", 4]]), None, None, None,
         "Aucune donnée reconnue", cli=True, args={"kind": "conformite"}),
]


def _matches(issue: dict, case: Case) -> bool:
    return (issue["sheet"] == case.sheet and issue["row"] == case.row and issue["column"] == case.column
            and case.message in issue["message"])


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory):
    """A database that already holds one real upload (so 'unchanged' means something)."""
    folder = tmp_path_factory.mktemp("seeded")
    with Database(folder / "seeded.duckdb") as database:
        path = samples.write_rows_xlsx(folder / "avant.xlsx", {"Feuil1": [
            LONG, ["87", "COURRIER_DELAI", "2025-01", 9], ["33", "APPELS_PERDUS", "2025-01", 8]]})
        import_file(database, path)
        database.checkpoint()
    return folder / "seeded.duckdb"


@pytest.fixture
def seeded_db_path(seeded_template, tmp_path):
    path = tmp_path / "seeded.duckdb"
    shutil.copy(seeded_template, path)
    return path


def _contents(path):
    with Database(path) as database:
        return table_contents(database)


def test_the_bad_corpus_is_large_enough():
    assert len(CASES) >= 30 and sum(c.cli for c in CASES) >= 15
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", [c for c in CASES if c.cli], ids=lambda c: c.name)
def test_bad_file_through_the_command_line(case, seeded_db_path, tmp_path):
    path = case.build(tmp_path)
    before = _contents(seeded_db_path)
    command = [sys.executable, "-m", "qualepref", "import", str(path), "--json"]
    for key, value in case.args.items():
        command += [f"--{key}", str(value)]
    env = {**os.environ, "QUALEPREF_DB": str(seeded_db_path), **case.env}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)  # stdout holds the JSON report and nothing else
    assert report["ok"] is False and report["rows_written"] == 0
    assert any(_matches(issue, case) for issue in report["errors"]), report["errors"]
    assert _contents(seeded_db_path) == before


@pytest.mark.parametrize("case", [c for c in CASES if not c.cli], ids=lambda c: c.name)
def test_bad_file_through_the_api(case, seeded_db_path, tmp_path, monkeypatch):
    for key, value in case.env.items():
        monkeypatch.setenv(key, value)
    path = case.build(tmp_path)
    with Database(seeded_db_path) as database:
        before = table_contents(database)
        scope = national_scope(database)
        if case.scope_sites:
            scope = Principal("référent", Role.REFERENT, case.scope_sites[0]).scope(scope.site_codes)
        plan = analyse(database, path, scope=scope, **case.args)
        assert not plan.ok
        assert any(_matches(issue.as_dict(), case) for issue in plan.errors), plan.errors_frame().to_string()
        assert ingest.report_json(plan)["errors"] == [i.as_dict() for i in plan.errors]
        frame = plan.errors_frame()
        assert list(frame.columns) == ["gravité", "feuille", "ligne", "colonne", "valeur", "message"]
        assert (frame["gravité"] == "erreur").sum() == len(plan.errors)
        with pytest.raises(ingest.IngestError):
            ingest.commit(plan, db=database, scope=scope, uploaded_by="tests")
        assert table_contents(database) == before


def test_rows_outside_the_scope_are_still_refused_by_the_data_layer(seeded_db_path):
    """The report error comes first; a batch naming another site that reached the store anyway
    (a bug, a script) is refused there too."""
    with Database(seeded_db_path) as database:
        scope = Principal("référent", Role.REFERENT, "87").scope(national_scope(database).site_codes)
        batch = pd.DataFrame({"site_code": ["33"], "indicator_code": ["COURRIER_DELAI"],
                              "period_start": pd.to_datetime(["2025-01-01"]), "period_kind": ["month"],
                              "value": [4.0], "comment": [None]})
        before = table_contents(database)
        with pytest.raises(ScopeError, match="33"), database.cursor() as cur:
            store.preview(cur, "indicator_values", batch, scope)
        with pytest.raises(ScopeError, match="33"), database.transaction() as cur:
            store.write(cur, "indicator_values", batch, scope=scope, upload_id=store.next_upload_id(cur))
        assert table_contents(database) == before


def test_a_read_only_profile_gets_a_report_error(seeded_db_path, tmp_path):
    path = samples.write_rows_xlsx(tmp_path / "copil.xlsx", {"Feuil1": [LONG, ["87", "COURRIER_DELAI", "2025-01", 4]]})
    with Database(seeded_db_path) as database:
        scope = Principal("copil", Role.COPIL, "87").scope(national_scope(database).site_codes)
        plan = analyse(database, path, scope=scope)
        assert not plan.ok and "pas d'en importer" in plan.errors[0].message
