"""Good files in every layout and format of DESIGN §4, checked value by value in the views."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest

from qualepref.ingest import samples
from tests.test_ingest_support import (
    DATA,
    compliance_rows,
    import_file,
    indicator_rows,
    survey_rows,
    upload_count,
)

LABELS = {
    "COURRIER_DELAI": "Délai moyen de réponse aux courriers (jours ouvrés)",
    "APPELS_PERDUS": "Taux d'appels perdus",
    "ATTENTE_GUICHET": "Temps d'attente moyen à l'accueil (min)",
    "DECROCHE_5_SONNERIES": "Taux d'appels décrochés en moins de 5 sonneries",
}


def _write_csv(path, text: str, encoding: str) -> None:
    path.write_bytes(text.encode(encoding))


# -- long layout -----------------------------------------------------------------
def test_long_xlsx_national_export(db, tmp_path):
    frame = pd.DataFrame({
        "site_code": ["01", "01", "2A", "87", "971"],
        "indicator_code": ["COURRIER_DELAI", "APPELS_PERDUS", "COURRIER_DELAI", "SITE_INFOS_VERIFIEES",
                           "ATTENTE_GUICHET"],
        "period_start": pd.to_datetime(["2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01", "2024-01-01"]),
        "period_kind": ["month", "month", "month", "quarter", "year"],
        "value": [9.5, 7.25, 12.0, 100.0, 18.0],
    })
    path = samples.write_long_xlsx(frame, tmp_path / "national.xlsx")
    plan, result = import_file(db, path)
    assert plan.kind == "indicateurs" and result.rows_written == 5 and plan.site_codes == ["01", "2A", "87", "971"]
    assert indicator_rows(db) == [
        ("01", "APPELS_PERDUS", "2025-02-01", "month", 7.25),
        ("01", "COURRIER_DELAI", "2025-01-01", "month", 9.5),
        ("2A", "COURRIER_DELAI", "2025-03-01", "month", 12.0),
        ("87", "SITE_INFOS_VERIFIEES", "2025-04-01", "quarter", 100.0),
        ("971", "ATTENTE_GUICHET", "2024-01-01", "year", 18.0),
    ]


def test_long_xlsx_with_number_sites_date_cells_and_french_numbers(db, tmp_path):
    rows = [
        ["Département", "Indicateur", "Mois", "Valeur", "Commentaire"],
        [1, "COURRIER_DELAI", datetime(2025, 1, 1), "1\u00a0234", "grève"],
        [87, "Délai moyen de réponse aux courriers", datetime(2025, 2, 1), "4 j", None],
        ["087", "ATTENTE_GUICHET", "janvier 2025", "12 min", None],
        ["2a", "APPELS_PERDUS", "01/2025", "82%", None],
        ["2B", "APPELS_PERDUS", "2025-02", "7,5 %", None],
        ["974", "APPELS_PERDUS", "janv. 2025", "4.5", None],
        ["Limoges", "RECLAMATIONS_RECUES", "T1 2025", "1\u202f020", None],
        ["HAUTE VIENNE", "PUBLICATIONS_RESEAUX", "2025", 3, None],
        ["87", "COURRIEL_DELAI", "janv.-25", "ND", None],
        ["87", "DELAI_CNI", "févr. 2025", None, None],
    ]
    path = samples.write_rows_xlsx(tmp_path / "long.xlsx", {"Données": rows})
    plan, _ = import_file(db, path)
    assert plan.rows_read == 10
    assert indicator_rows(db) == [
        ("01", "COURRIER_DELAI", "2025-01-01", "month", 1234.0),
        ("2A", "APPELS_PERDUS", "2025-01-01", "month", 82.0),
        ("2B", "APPELS_PERDUS", "2025-02-01", "month", 7.5),
        ("87", "ATTENTE_GUICHET", "2025-01-01", "month", 12.0),
        ("87", "COURRIER_DELAI", "2025-02-01", "month", 4.0),
        ("87", "PUBLICATIONS_RESEAUX", "2025-01-01", "year", 3.0),
        ("87", "RECLAMATIONS_RECUES", "2025-01-01", "quarter", 1020.0),
        ("974", "APPELS_PERDUS", "2025-01-01", "month", 4.5),
    ]
    with db.cursor() as cur:
        assert cur.execute("select comment from indicator_values where site_code = '01'").fetchone()[0] == "grève"


def test_long_xlsx_percentage_formatted_cells(db, tmp_path):
    rows = [["Site", "Indicateur", "Période", "Valeur"],
            ["87", "APPELS_PERDUS", "2025-01", 0.082],
            ["87", "APPELS_PERDUS", "2025-02", 0.1],
            ["87", "COURRIER_DELAI", "2025-01", 0.5]]
    path = samples.write_rows_xlsx(tmp_path / "pct.xlsx", {"Feuil1": rows}, percent_cells={"Feuil1": {(1, 3), (2, 3)}})
    import_file(db, path)
    assert indicator_rows(db) == [("87", "APPELS_PERDUS", "2025-01-01", "month", 8.2),
                                  ("87", "APPELS_PERDUS", "2025-02-01", "month", 10.0),
                                  ("87", "COURRIER_DELAI", "2025-01-01", "month", 0.5)]


@pytest.mark.parametrize(("sep", "encoding", "decimal"), [
    (";", "utf-8", ","), (",", "utf-8-sig", "."), (";", "cp1252", ","),
])
def test_long_csv_separators_and_encodings(db, tmp_path, sep, encoding, decimal):
    header = sep.join(["Préfecture", "Indicateur", "Période", "Valeur"])
    lines = [
        header,
        sep.join(["Préfecture de la Haute-Vienne", '"Délai moyen de réponse aux courriers"', "janv. 2025",
                  f'"9{decimal}5"' if decimal == "," and sep == "," else f"9{decimal}5"]),
        sep.join(["Corrèze", "Taux d'appels perdus", "02/2025", f"7{decimal}5 %"]),
        sep.join(["Saint-Denis", "ATTENTE_GUICHET", "2025-03", "NC"]),
        "",
        sep.join(["Corse-du-Sud", "Délai courriels", "T2 2025", "3"]),
    ]
    path = tmp_path / "export.csv"
    _write_csv(path, "\r\n".join(lines) + "\r\n", encoding)
    plan, result = import_file(db, path)
    assert plan.kind == "indicateurs" and result.rows_written == 3
    assert indicator_rows(db) == [
        ("19", "APPELS_PERDUS", "2025-02-01", "month", 7.5),
        ("2A", "COURRIEL_DELAI", "2025-04-01", "quarter", 3.0),
        ("87", "COURRIER_DELAI", "2025-01-01", "month", 9.5),
    ]


# -- wide tableau de bord -----------------------------------------------------------
def test_wide_with_title_block_abbreviated_months_and_markers(db, tmp_path):
    rows = [
        ["Préfecture de la Haute-Vienne — Tableau de bord qualité — année 2025"],
        ["Mis à jour le 05/03/2025"],
        [],
        ["Engagement", "Indicateur", "Cible", "janv.-25", "févr.-25", "mars-25", "Moyenne", "Observations"],
        [None, "Accueil", None, None, None, None, None, None],
        [17, LABELS["COURRIER_DELAI"], "15 j", "9,8", "11,8", None, "10,8", "RAS"],
        [10, LABELS["APPELS_PERDUS"], "< 10 %", "7,7 %", "10,1 %", "NC", None, None],
        [7, LABELS["ATTENTE_GUICHET"], "20 min", 12, "-", 20, None, None],
        [],
        [None, "Source : outils de suivi ; NC = non communiqué"],
    ]
    path = samples.write_rows_xlsx(tmp_path / "tdb.xlsx", {"TDB 2025": rows})
    plan, _ = import_file(db, path)
    assert plan.site_codes == ["87"] and plan.rows_read == 3
    assert indicator_rows(db) == [
        ("87", "APPELS_PERDUS", "2025-01-01", "month", 7.7),
        ("87", "APPELS_PERDUS", "2025-02-01", "month", 10.1),
        ("87", "ATTENTE_GUICHET", "2025-01-01", "month", 12.0),
        ("87", "ATTENTE_GUICHET", "2025-03-01", "month", 20.0),
        ("87", "COURRIER_DELAI", "2025-01-01", "month", 9.8),
        ("87", "COURRIER_DELAI", "2025-02-01", "month", 11.8),
    ]


def test_wide_with_date_headers_and_site_given(db, tmp_path):
    frame = pd.DataFrame({
        "indicator_code": ["COURRIER_DELAI"] * 3 + ["DECROCHE_5_SONNERIES"] * 3,
        "period_start": pd.to_datetime(["2024-10-01", "2024-11-01", "2024-12-01"] * 2),
        "value": [8.0, 9.25, 10.0, 91.0, 88.5, 93.0],
    })
    path = samples.write_wide_xlsx(frame, tmp_path / "dates.xlsx", header="date", labels=LABELS)
    import_file(db, path, site="Bastia")
    assert indicator_rows(db) == [
        ("2B", "COURRIER_DELAI", "2024-10-01", "month", 8.0),
        ("2B", "COURRIER_DELAI", "2024-11-01", "month", 9.25),
        ("2B", "COURRIER_DELAI", "2024-12-01", "month", 10.0),
        ("2B", "DECROCHE_5_SONNERIES", "2024-10-01", "month", 91.0),
        ("2B", "DECROCHE_5_SONNERIES", "2024-11-01", "month", 88.5),
        ("2B", "DECROCHE_5_SONNERIES", "2024-12-01", "month", 93.0),
    ]


def test_wide_quarterly_site_from_city_in_title(db, tmp_path):
    rows = [["Limoges : suivi trimestriel 2024"],
            ["Indicateur", "T1 2024", "T2 2024", "T3 2024", "T4 2024"],
            ["SITE_INFOS_VERIFIEES", "100 %", "95 %", "NC", None],
            ["Exercices de communication d'urgence réalisés", 1, 0, 2, 1]]
    path = samples.write_rows_xlsx(tmp_path / "trim.xlsx", {"Trimestres": rows})
    import_file(db, path)
    assert indicator_rows(db) == [
        ("87", "EXERCICES_COMMUNICATION", "2024-01-01", "quarter", 1.0),
        ("87", "EXERCICES_COMMUNICATION", "2024-04-01", "quarter", 0.0),
        ("87", "EXERCICES_COMMUNICATION", "2024-07-01", "quarter", 2.0),
        ("87", "EXERCICES_COMMUNICATION", "2024-10-01", "quarter", 1.0),
        ("87", "SITE_INFOS_VERIFIEES", "2024-01-01", "quarter", 100.0),
        ("87", "SITE_INFOS_VERIFIEES", "2024-04-01", "quarter", 95.0),
    ]


def test_wide_months_without_year_take_the_title_year_and_percent_cells(db, tmp_path):
    rows = [["Tableau de bord de la préfecture du Finistère", None, None, None],
            ["Année 2025"],
            ["Indicateur", "Unité", "janvier", "février", "mars"],
            [LABELS["DECROCHE_5_SONNERIES"], "%", 0.91, 0.875, None],
            [LABELS["COURRIER_DELAI"], "jours", 10, 11.5, 9]]
    path = samples.write_rows_xlsx(tmp_path / "sans-annee.xlsx", {"Feuil1": rows},
                                   percent_cells={"Feuil1": {(3, 2), (3, 3)}})
    import_file(db, path)
    assert indicator_rows(db) == [
        ("29", "COURRIER_DELAI", "2025-01-01", "month", 10.0),
        ("29", "COURRIER_DELAI", "2025-02-01", "month", 11.5),
        ("29", "COURRIER_DELAI", "2025-03-01", "month", 9.0),
        ("29", "DECROCHE_5_SONNERIES", "2025-01-01", "month", 91.0),
        ("29", "DECROCHE_5_SONNERIES", "2025-02-01", "month", 87.5),
    ]


# -- surveys -----------------------------------------------------------------------
def test_aggregated_survey_xlsx(db, tmp_path):
    frame = pd.DataFrame({
        "site_code": ["87", "87", "2A"], "campaign": ["2024", "2024", "2025"],
        "question_code": ["ACCUEIL_COURTOIS", "GLOBAL", "TELEPHONE"],
        "n_tres_satisfait": [40, 0, 5], "n_satisfait": [30, 0, 5], "n_peu_satisfait": [10, 0, 5],
        "n_pas_du_tout_satisfait": [5, 0, 5], "n_sans_avis": [15, 3, 0],
    })
    path = samples.write_survey_xlsx(frame, tmp_path / "enquete.xlsx")
    plan, _ = import_file(db, path)
    assert plan.kind == "enquete"
    assert survey_rows(db) == [
        ("2A", "2025", "TELEPHONE", 5, 5, 5, 5, 0, 20, 0.5),
        ("87", "2024", "ACCUEIL_COURTOIS", 40, 30, 10, 5, 15, 85, round(70 / 85, 6)),
        ("87", "2024", "GLOBAL", 0, 0, 0, 0, 3, 0, None),
    ]


def test_aggregated_survey_csv_with_labels_and_reworded_levels(db, tmp_path):
    text = ("Département;Campagne;Question;Très satisfait;Plutôt satisfait;Plutôt mécontent;Très mécontent;"
            "Ne sait pas\n"
            "Haute-Vienne;2025;Le temps d'attente vous a-t-il paru raisonnable ?;12;8;;2;1\n")
    path = tmp_path / "enquete.csv"
    _write_csv(path, text, "cp1252")
    import_file(db, path)
    assert survey_rows(db) == [("87", "2025", "ATTENTE", 12, 8, 0, 2, 1, 22, round(20 / 22, 6))]


def test_raw_survey_text_answers_campaign_from_timestamps(db, tmp_path):
    questions = ["L'accueil a-t-il été attentif et courtois ?", "Globalement, êtes-vous satisfait du service rendu ?"]
    answers = [["Très satisfait", "Plutôt satisfait"], ["Satisfait", "Très mécontent"],
               ["Plutôt mécontent", None], ["NSP", "Ne sait pas"], ["Pas du tout satisfait", "Plutôt pas satisfait"],
               [None, "sans avis"]]
    stamps = [datetime(2024, 6, 3, 9, 0) + pd.Timedelta(hours=i) for i in range(len(answers))]
    path = samples.write_raw_survey_xlsx(tmp_path / "brut.xlsx", questions, answers, stamps=stamps)
    plan, _ = import_file(db, path, site="87")
    assert plan.rows_read == 6
    assert survey_rows(db) == [
        ("87", "2024", "ACCUEIL_COURTOIS", 1, 1, 1, 1, 1, 4, 0.5),
        ("87", "2024", "GLOBAL", 0, 1, 1, 1, 2, 3, round(1 / 3, 6)),
    ]


def test_raw_survey_numeric_answers_with_site_and_campaign_columns(db, tmp_path):
    rows = [["Site", "Campagne", "Accueil téléphonique", "Satisfaction globale", "Commentaire libre"],
            ["87", 2025, 4, 3, "bien"], ["87", 2025, 2, 1, None], ["2A", 2025, 0, None, None],
            ["2A", 2025, 4, 4, None]]
    path = samples.write_rows_xlsx(tmp_path / "notes.xlsx", {"Export": rows})
    import_file(db, path)
    assert survey_rows(db) == [
        ("2A", "2025", "GLOBAL", 1, 0, 0, 0, 0, 1, 1.0),
        ("2A", "2025", "TELEPHONE", 1, 0, 0, 0, 1, 1, 1.0),
        ("87", "2025", "GLOBAL", 0, 1, 0, 1, 0, 2, 0.5),
        ("87", "2025", "TELEPHONE", 1, 0, 1, 0, 0, 2, 0.5),
    ]


def test_raw_survey_csv_with_campaign_argument(db, tmp_path):
    text = ("Horodateur,Le temps d'attente vous a-t-il paru raisonnable ?\n"
            "12/05/2023 10:00,Satisfait\n13/05/2023 11:00,Peu satisfait\n14/05/2023 12:00,Très satisfait\n")
    path = tmp_path / "brut.csv"
    _write_csv(path, text, "utf-8-sig")
    import_file(db, path, site="29", campaign=2024)
    assert survey_rows(db) == [("29", "2024", "ATTENTE", 1, 1, 1, 0, 0, 3, round(2 / 3, 6))]


# -- compliance -------------------------------------------------------------------
def test_compliance_xlsx_with_date_cells(db, tmp_path):
    frame = pd.DataFrame({
        "site_code": ["87", "87", "87"], "module": [1, 1, 7], "engagement": [1, 2, 21],
        "assessed_on": pd.to_datetime(["2025-03-14", "2025-03-14", "2025-06-01"]),
        "assessment_type": ["auto_evaluation", "audit_interne", "enquete_mystere"],
        "result": ["conforme", "partiel", "non_applicable"],
    })
    path = samples.write_compliance_xlsx(frame, tmp_path / "conf.xlsx")
    plan, _ = import_file(db, path)
    assert plan.kind == "conformite"
    assert compliance_rows(db) == [
        ("87", 1, 1, "2025-03-14", "auto_evaluation", "conforme"),
        ("87", 1, 2, "2025-03-14", "audit_interne", "partiel"),
        ("87", 7, 21, "2025-06-01", "enquete_mystere", "non_applicable"),
    ]


def test_compliance_csv_with_text_dates_and_short_results(db, tmp_path):
    text = ("Site;Module;Engagement;Date d'évaluation;Type;Résultat\n"
            ";1;3;15/09/2024;Audit externe;Partiel\n"
            ";1;4;15/09/2024;auto-évaluation;NA\n"
            ";1;5;2024-09-16;Auto évaluation;Sans objet\n"
            ";1;6;16/09/2024;Audit interne;Non conforme\n")
    path = tmp_path / "conf.csv"
    _write_csv(path, text, "utf-8")
    import_file(db, path, site="29")
    assert compliance_rows(db) == [
        ("29", 1, 3, "2024-09-15", "audit_externe", "partiel"),
        ("29", 1, 4, "2024-09-15", "auto_evaluation", "non_applicable"),
        ("29", 1, 5, "2024-09-16", "auto_evaluation", "non_applicable"),
        ("29", 1, 6, "2024-09-16", "audit_interne", "non_conforme"),
    ]


# -- several sheets ----------------------------------------------------------------
def test_template_like_workbook_with_three_kinds(db, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Instructions"
    wb["Instructions"].append(["Remplissez une feuille par type de données."])
    lists = wb.create_sheet("Listes")
    lists.append(["Indicateurs", "Questions"])
    lists.append([LABELS["COURRIER_DELAI"], "L'accueil a-t-il été attentif et courtois ?"])
    lists.sheet_state = "hidden"
    ind = wb.create_sheet("Indicateurs")
    ind.append(["Site", "Indicateur", "Période", "Valeur", "Commentaire"])
    ind.append([None, LABELS["COURRIER_DELAI"], date(2025, 5, 1), 9.5, None])
    cell = ind.cell(row=3, column=4, value=0.095)
    ind.append([])
    ind["A3"], ind["B3"], ind["C3"] = None, "APPELS_PERDUS", "mai 2025"
    cell.number_format = "0.0%"
    survey = wb.create_sheet("Enquête")
    survey.append(["Site", "Campagne", "Question", "Très satisfait", "Satisfait", "Peu satisfait",
                   "Pas du tout satisfait", "Sans avis"])
    survey.append([None, 2025, "ACCUEIL_COURTOIS", 3, 2, 1, 0, 4])
    conf = wb.create_sheet("Conformité")
    conf.append(["Site", "Module", "Engagement", "Date d'évaluation", "Type", "Résultat"])
    conf.append([None, 1, 20, datetime(2025, 4, 2), "Audit interne", "Conforme"])
    buffer = io.BytesIO()
    wb.save(buffer)
    path = tmp_path / "modele-rempli.xlsx"
    path.write_bytes(buffer.getvalue())
    plan, result = import_file(db, path, site="87")
    assert plan.kind == "mixte" and result.rows_written == 4
    assert indicator_rows(db) == [("87", "APPELS_PERDUS", "2025-05-01", "month", 9.5),
                                  ("87", "COURRIER_DELAI", "2025-05-01", "month", 9.5)]
    assert survey_rows(db) == [("87", "2025", "ACCUEIL_COURTOIS", 3, 2, 1, 0, 4, 6, round(5 / 6, 6))]
    assert compliance_rows(db) == [("87", 1, 20, "2025-04-02", "audit_interne", "conforme")]
    with db.cursor() as cur:
        assert cur.execute("select kind, site_codes from uploads").fetchall() == [("mixte", ["87"])]


# -- the shared sample files -------------------------------------------------------
def test_sample_wide_tableau_de_bord(db):
    plan, result = import_file(db, DATA / "samples" / "exemple-tableau-de-bord-large.xlsx")
    assert plan.site_codes == ["29"] and plan.period_min == "2024-01" and plan.period_max == "2024-10"
    rows = indicator_rows(db)
    # 5 indicators × 10 months, minus the one NC (missing, not zero).
    assert len(rows) == 49 and result.rows_written == 49
    by_key = {(r[1], r[2]): r[4] for r in rows}
    assert by_key[("COURRIER_DELAI", "2024-01-01")] == 9.8
    assert by_key[("COURRIEL_DELAI", "2024-04-01")] == 3.0
    assert by_key[("APPELS_PERDUS", "2024-02-01")] == 10.1
    assert by_key[("ATTENTE_GUICHET", "2024-10-01")] == 18.0
    assert ("ATTENTE_GUICHET", "2024-08-01") not in by_key
    assert by_key[("RECLAMATIONS_RECUES", "2024-03-01")] == 30.0
    assert not any(period >= "2024-11-01" for _, period in by_key)


def test_sample_raw_survey(db):
    source = openpyxl.load_workbook(DATA / "samples" / "exemple-enquete-reponses-brutes.xlsx").active
    rows = list(source.iter_rows(min_row=2, values_only=True))
    expected = []
    codes = {2: "ACCUEIL_COURTOIS", 3: "ATTENTE", 4: "GLOBAL"}
    levels = ["Très satisfait", "Satisfait", "Peu satisfait", "Pas du tout satisfait", "Sans avis"]
    for column, code in codes.items():
        answers = [row[column] for row in rows]
        counts = [answers.count(level) for level in levels]
        expressed = sum(counts[:4])
        expected.append(("29", "2024", code, *counts, expressed, round((counts[0] + counts[1]) / expressed, 6)))
    import_file(db, DATA / "samples" / "exemple-enquete-reponses-brutes.xlsx", site="29")
    assert survey_rows(db) == expected


def test_sample_compliance(db):
    source = openpyxl.load_workbook(DATA / "samples" / "exemple-conformite.xlsx").active
    wording = {"Conforme": "conforme", "Partiellement conforme": "partiel", "Non conforme": "non_conforme",
               "Non applicable": "non_applicable"}
    expected = sorted(
        (str(site), int(module), int(engagement), day.strftime("%Y-%m-%d"), "auto_evaluation", wording[result])
        for site, module, engagement, day, _type, result in source.iter_rows(min_row=2, values_only=True)
    )
    import_file(db, DATA / "samples" / "exemple-conformite.xlsx")
    assert compliance_rows(db) == expected
    assert upload_count(db) == 1
