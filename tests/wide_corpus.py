"""A corpus of wide tableaux de bord as prefectures publish them (issue 12.8), built in code.

Each `Layout` writes one real file (xlsx through openpyxl: merged title cells, frozen panes, a
notes sheet, a hidden sheet, date and percentage cells; or CSV) and says exactly which values
the import must store. The layouts vary what the hold-out set of real files varies: an
identifier column before the indicator (`N°`, `N° engagement`, `Réf.`, `Code`), aggregate columns
after the months (`Total`, `Cumul`, `Moyenne annuelle`, `Écart`, `Évolution`, `Rappel N-1`,
`Tendance`), the header on rows 1 to 8, two header rows (the year above the months), months
written `Janvier`, `janv`, `01/2025` or as dates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

# How référents label indicators (codes of the référentiel on the right).
COURRIERS = ("Délai moyen de réponse aux courriers (en jours ouvrés)", "COURRIER_DELAI")
COURRIELS = ("Délai de réponse aux courriels", "COURRIEL_DELAI")
PERDUS = ("Taux d'appels perdus (%)", "APPELS_PERDUS")
DECROCHE = ("Taux de décroché en moins de 5 sonneries", "DECROCHE_5_SONNERIES")
ATTENTE = ("Temps d'attente moyen à l'accueil (min)", "ATTENTE_GUICHET")
RECUES = ("Nombre de réclamations et suggestions reçues", "RECLAMATIONS_RECUES")
RECLAMATIONS = ("Délai de réponse aux réclamations", "RECLAMATION_DELAI")

MONTHS_FR = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]
MONTHS_FULL = ["Janvier", "Février", "Mars", "Avril", "Mai", "Juin", "Juillet", "Août", "Septembre", "Octobre",
               "Novembre", "Décembre"]


@dataclass
class Layout:
    name: str
    what: str
    write: Callable[[Path], Path]
    expected: list[tuple]  # (site, code, 'YYYY-MM-DD', kind, value), sorted
    site: str | None = None  # the prefecture chosen on the page / --site
    warnings: list[str] = field(default_factory=list)  # words each expected in some warning


def _month(year: int, month: int) -> str:
    return f"{year}-{month:02d}-01"


def _rows(site: str, series: dict[str, list], periods: list[str], kind: str = "month") -> list[tuple]:
    """Expected rows: each code's values per period, None (blank or NC) skipped."""
    out = []
    for code, values in series.items():
        for period, value in zip(periods, values, strict=True):
            if value is not None:
                out.append((site, code, period, kind, float(value)))
    return sorted(out)


def _save(book: Workbook, path: Path) -> Path:
    book.save(path)
    return path


def _title(ws, cell_range: str, text: str) -> None:
    first = cell_range.split(":")[0]
    ws[first] = text
    ws[first].font = Font(bold=True, size=14)
    ws[first].alignment = Alignment(wrap_text=True)
    ws.merge_cells(cell_range)


# -- 1. N° before the indicator, Total and Moyenne annuelle after the months ---------------------------
def _numero_total(path: Path) -> Path:
    book = Workbook()
    ws = book.active
    ws.title = "TDB 2025"
    _title(ws, "A1:L1", "Préfecture de la Haute-Vienne – Tableau de bord qualité 2025")
    ws["A2"] = "Mis à jour le 10/07/2025 par la référente qualité"
    ws.append([])
    ws.append(["N°", "Indicateur", "Cible", "janv.-25", "févr.-25", "mars-25", "avr.-25", "mai-25", "juin-25",
               "Total", "Moyenne annuelle"])
    ws.append([1, COURRIERS[0], "15 j", 9.8, 11.8, 8.4, 13.1, 9.3, 11.7, 64.1, 10.7])
    ws.append([2, PERDUS[0], "< 10 %", "7,7 %", "10,1 %", "NC", "4,5 %", "5,1 %", "7,1 %", None, "6,9 %"])
    ws.append([3, RECUES[0], None, 20, 8, 30, 29, 15, 9, 111, 18.5])
    ws.freeze_panes = "C5"
    return _save(book, path)


NUMERO_TOTAL = Layout(
    "numero_total", "N° avant l'indicateur, Total et Moyenne annuelle après les mois, titre fusionné, volets figés",
    _numero_total,
    _rows("87", {"COURRIER_DELAI": [9.8, 11.8, 8.4, 13.1, 9.3, 11.7],
                 "APPELS_PERDUS": [7.7, 10.1, None, 4.5, 5.1, 7.1],
                 "RECLAMATIONS_RECUES": [20, 8, 30, 29, 15, 9]}, [_month(2025, m) for m in range(1, 7)]),
    warnings=["Total", "Moyenne annuelle"],
)


# -- 2. N° engagement (which helps match a label), Cumul, Écart, Tendance --------------------------------
def _engagement_cumul(path: Path) -> Path:
    book = Workbook()
    ws = book.active
    ws.title = "Suivi"
    _title(ws, "A1:J2", "Tableau de bord 2025 — Préfecture de la Haute-Vienne")
    ws.append(["N° engagement", "Intitulé de l'indicateur", "Unité", *MONTHS_FULL[:4], "Cumul", "Écart", "Tendance"])
    ws.append([17, COURRIERS[0], "jours", 9, 10.5, 8, 7.5, 35, -1.5, "↘"])
    ws.append([7, "Durée d'attente au guichet (minutes)", "min", 18, 21, 19, 17, 75, 2, "↗"])
    ws.append([10, "Appels décrochés en moins de 5 sonneries", "%", 91, 88, 90, 93, None, 0.5, "="])
    ws.freeze_panes = "D4"
    return _save(book, path)


ENGAGEMENT_CUMUL = Layout(
    "engagement_cumul", "N° engagement (aide à reconnaître « Durée d'attente au guichet »), Cumul, Écart, Tendance",
    _engagement_cumul,
    _rows("87", {"COURRIER_DELAI": [9, 10.5, 8, 7.5], "ATTENTE_GUICHET": [18, 21, 19, 17],
                 "DECROCHE_5_SONNERIES": [91, 88, 90, 93]}, [_month(2025, m) for m in range(1, 5)]),
    warnings=["engagement", "Cumul"],
)


# -- 3. Réf. and a header on row 8, months 01/2025, Évolution and Rappel N-1 -----------------------------
def _ref_row8(path: Path) -> Path:
    book = Workbook()
    ws = book.active
    ws.title = "T1"
    for text in (None, "Ministère de l'Intérieur", "Préfecture de la Haute-Vienne", None,
                 "Tableau de bord qualité", "Période : 1er trimestre 2025", None):
        ws.append([text])
    ws.append(["Réf.", "Indicateur", "01/2025", "02/2025", "03/2025", "Évolution", "Rappel N-1"])
    ws.append(["1.1", COURRIELS[0], "3,6", "5,1", "6,3", "+75 %", 4.2])
    ws.append(["1.2", RECLAMATIONS[0], 12, 14, 9, "-25 %", 13])
    ws.append([3, DECROCHE[0], "91 %", "89,5 %", "92 %", "+1 pt", 90])
    return _save(book, path)


REF_ROW8 = Layout(
    "ref_row8", "Réf. (1.1, 1.2, 3), en-tête en ligne 8, mois « 01/2025 », Évolution, Rappel N-1", _ref_row8,
    _rows("87", {"COURRIEL_DELAI": [3.6, 5.1, 6.3], "RECLAMATION_DELAI": [12, 14, 9],
                 "DECROCHE_5_SONNERIES": [91, 89.5, 92]}, [_month(2025, m) for m in range(1, 4)]),
    warnings=["Rappel N-1"],
)


# -- 4. Code (a local code, not the référentiel's) then Libellé, months as date cells ---------------------
def _code_dates(path: Path) -> Path:
    book = Workbook()
    ws = book.active
    ws.title = "Indicateurs"
    ws["A1"] = "Haute-Vienne — indicateurs de qualité de service"
    ws.append(["Code", "Libellé", datetime(2025, 1, 1), datetime(2025, 2, 1), datetime(2025, 3, 1), "Moyenne"])
    for cell in ws[2][2:5]:
        cell.number_format = "dd/mm/yyyy"
    ws.append(["IND-01", COURRIERS[0], 10, 12, 11, 11])
    ws.append(["IND-02", ATTENTE[0], 15, None, 18, 16.5])
    ws.append(["IND-03", PERDUS[0], 0.052, 0.061, 0.049, 0.054])
    for row in ws.iter_rows(min_row=5, max_row=5, min_col=3, max_col=6):
        for cell in row:
            cell.number_format = "0.0%"
    return _save(book, path)


CODE_DATES = Layout(
    "code_dates", "Code local (IND-01) avant le libellé, mois en vraies dates, pourcentages en format %",
    _code_dates,
    _rows("87", {"COURRIER_DELAI": [10, 12, 11], "ATTENTE_GUICHET": [15, None, 18],
                 "APPELS_PERDUS": [5.2, 6.1, 4.9]}, [_month(2025, m) for m in range(1, 4)]),
)


# -- 5. Two header rows: years above the months, across a change of year ------------------------------
def _years_above(path: Path) -> Path:
    book = Workbook()
    ws = book.active
    ws.title = "Glissant"
    ws["A1"] = "Préfecture de la Haute-Vienne — six derniers mois"
    ws["A3"], ws["B3"], ws["C3"], ws["F3"], ws["I3"] = "Indicateur", "Cible", "2024", "2025", "Total"
    ws.merge_cells("A3:A4")
    ws.merge_cells("B3:B4")
    ws.merge_cells("C3:E3")
    ws.merge_cells("F3:H3")
    ws.merge_cells("I3:I4")
    for j, month in enumerate(["oct.", "nov.", "déc.", "janv.", "févr.", "mars"], start=3):
        ws.cell(row=4, column=j, value=month)
    ws.append([COURRIERS[0], 15, 12, 11, 14, 10, 9, 8, 64])
    ws.append([RECUES[0], None, 31, 28, 19, 22, 25, 30, 155])
    ws.freeze_panes = "C5"
    return _save(book, path)


YEARS_ABOVE = Layout(
    "years_above", "Deux lignes d'en-tête : 2024 et 2025 fusionnés au-dessus des mois, Indicateur fusionné "
    "verticalement", _years_above,
    _rows("87", {"COURRIER_DELAI": [12, 11, 14, 10, 9, 8], "RECLAMATIONS_RECUES": [31, 28, 19, 22, 25, 30]},
          [_month(2024, 10), _month(2024, 11), _month(2024, 12), _month(2025, 1), _month(2025, 2),
           _month(2025, 3)]),
)


# -- 6. « Année 2025 » above lower-case months without a dot; the site is chosen on the page --------------
def _annee_above(path: Path) -> Path:
    book = Workbook()
    ws = book.active
    ws.title = "Feuil1"
    ws["C2"] = "Année 2025"
    ws.merge_cells("C2:H2")
    ws.append(["Indicateurs", "Unité", "janv", "fev", "mars", "avr", "mai", "juin", "Total", "Moy."])
    ws.append([COURRIELS[0], "j", 4, 5, 3.5, 4, 6, 5, 27.5, 4.6])
    ws.append([ATTENTE[0], "min", 22, 19, 18, 20, 25, 21, 125, 20.8])
    return _save(book, path)


ANNEE_ABOVE = Layout(
    "annee_above", "« Année 2025 » fusionné au-dessus de mois « janv », « fev »… ; préfecture choisie à l'import",
    _annee_above,
    _rows("87", {"COURRIEL_DELAI": [4, 5, 3.5, 4, 6, 5], "ATTENTE_GUICHET": [22, 19, 18, 20, 25, 21]},
          [_month(2025, m) for m in range(1, 7)]),
    site="87",
)


# -- 7. A notes sheet, a hidden sheet, quarters, frozen panes ----------------------------------------------
def _notes_hidden(path: Path) -> Path:
    book = Workbook()
    notes = book.active
    notes.title = "Notes"
    notes.append(["Définitions des indicateurs"])
    notes.append(["Indicateur", "Définition", "Mode de calcul"])
    notes.append([DECROCHE[0], "Appels décrochés avant la 5e sonnerie", "appels décrochés / appels reçus"])
    data = book.create_sheet("Données")
    data.append(["Indicateur", "T1 2025", "T2 2025", "Cumul"])
    data.append([DECROCHE[0], "92 %", "90 %", None])
    data.append(["Informations du site internet vérifiées dans le trimestre", "100 %", "NC", None])
    data.freeze_panes = "B2"
    hidden = book.create_sheet("Calculs")
    hidden.append(["Indicateur", "janv. 2025", "févr. 2025"])
    hidden.append([DECROCHE[0], 1234, 1180])
    hidden.sheet_state = "hidden"
    return _save(book, path)


NOTES_HIDDEN = Layout(
    "notes_hidden", "Feuille de notes, feuille masquée (ignorées), trimestres, volets figés", _notes_hidden,
    _rows("87", {"DECROCHE_5_SONNERIES": [92, 90], "SITE_INFOS_VERIFIEES": [100, None]},
          [_month(2025, 1), _month(2025, 4)], kind="quarter"),
    site="87", warnings=["masquée"],
)


# -- 8. Full month names with the year, Objectif and Moyenne 2025, a Total row ------------------------------
def _full_names(path: Path) -> Path:
    book = Workbook()
    ws = book.active
    ws.title = "2025"
    _title(ws, "A1:F1", "Préfecture de la Haute-Vienne")
    ws.append([])
    ws.append(["Indicateur", "Janvier 2025", "Février 2025", "Mars 2025", "Objectif 2025", "Moyenne 2025"])
    ws.append([RECUES[0], 14, 9, 12, None, 11.7])
    ws.append(["Nombre d'usagers accompagnés au point numérique", 120, 98, 143, 100, 120.3])
    ws.append(["Total", 134, 107, 155, None, None])
    return _save(book, path)


FULL_NAMES = Layout(
    "full_names", "Mois « Janvier 2025 », Objectif 2025, Moyenne 2025, ligne Total en bas", _full_names,
    _rows("87", {"RECLAMATIONS_RECUES": [14, 9, 12], "POINT_NUMERIQUE_USAGERS": [120, 98, 143]},
          [_month(2025, m) for m in range(1, 4)]),
    warnings=["Total"],
)


# -- 9. Numbered labels (« 17 - … », « Engagement 10 : … »), months « janv-25 », Écart N/N-1 ----------------
def _numbered(path: Path) -> Path:
    book = Workbook()
    ws = book.active
    ws.title = "Tableau"
    ws.append(["Indicateurs", "janv-25", "févr-25", "mars-25", "Écart N/N-1"])
    ws.append(["17 - Délai moyen de réponse aux courriers", 10, 9, 12, "-2"])
    ws.append(["Engagement 10 : Taux d'appels perdus", 8.5, 7, 6.5, 1.5])
    ws.append(["3. Nombre de réclamations et suggestions reçues", 11, 13, 10, None])
    ws.freeze_panes = "B2"
    return _save(book, path)


NUMBERED = Layout(
    "numbered", "Libellés numérotés, mois « janv-25 », Écart N/N-1 ; en-tête en ligne 1", _numbered,
    _rows("29", {"COURRIER_DELAI": [10, 9, 12], "APPELS_PERDUS": [8.5, 7, 6.5], "RECLAMATIONS_RECUES": [11, 13, 10]},
          [_month(2025, m) for m in range(1, 4)]),
    site="29",
)


# -- 10. A regional consolidation: one row per département × indicator, Total --------------------------------
def _regional(path: Path) -> Path:
    book = Workbook()
    ws = book.active
    ws.title = "Région"
    ws["A1"] = "Consolidation régionale — premier bimestre 2025"
    ws.append(["Département", "Indicateur", "janv. 2025", "févr. 2025", "Total"])
    ws.append(["Haute-Vienne", RECUES[0], 12, 10, 22])
    ws.append(["Corrèze", RECUES[0], 7, 9, 16])
    ws.append(["Creuse", RECUES[0], 3, None, 3])
    ws.append(["Corrèze", COURRIERS[0], 11, 12.5, None])
    return _save(book, path)


REGIONAL = Layout(
    "regional", "Une ligne par département et indicateur, colonne Total", _regional,
    sorted(_rows("87", {"RECLAMATIONS_RECUES": [12, 10]}, [_month(2025, 1), _month(2025, 2)])
           + _rows("19", {"RECLAMATIONS_RECUES": [7, 9], "COURRIER_DELAI": [11, 12.5]},
                   [_month(2025, 1), _month(2025, 2)])
           + _rows("23", {"RECLAMATIONS_RECUES": [3, None]}, [_month(2025, 1), _month(2025, 2)])),
)


# -- 11. CSV in Windows-1252: N°, Cumul, Écart N/N-1 -----------------------------------------------------------
def _csv(path: Path) -> Path:
    text = ("N°;Indicateur;janv.-25;févr.-25;mars-25;Cumul;Écart N/N-1\r\n"
            f"1;{COURRIERS[0]};9,5;10;8,5;28;-1,5\r\n"
            f"2;{COURRIELS[0]};3;4,5;ND;7,5;0,5\r\n"
            f"3;{RECUES[0]};21;18;25;64;3\r\n")
    csv_path = path.with_suffix(".csv")
    csv_path.write_bytes(text.encode("cp1252"))
    return csv_path


CSV = Layout(
    "csv_cp1252", "CSV Windows-1252 : N°, Cumul, Écart N/N-1", _csv,
    _rows("87", {"COURRIER_DELAI": [9.5, 10, 8.5], "COURRIEL_DELAI": [3, 4.5, None],
                 "RECLAMATIONS_RECUES": [21, 18, 25]}, [_month(2025, m) for m in range(1, 4)]),
    site="87",
)


# -- 12. Title merged over two rows, header on row 6, months without year, percent cells, Écart / cible --------
def _percent_cells(path: Path) -> Path:
    book = Workbook()
    ws = book.active
    ws.title = "Qualité"
    _title(ws, "A1:H2", "PRÉFECTURE DE LA HAUTE-VIENNE\nTableau de bord de la qualité de service – exercice 2025")
    ws["A4"] = "Légende : ↗ en progrès, ↘ en recul"
    ws.append([])
    ws.append([])
    ws.append(["Engagement", "Indicateur", "Cible", "janv.", "févr.", "mars", "Écart / cible", "Tendance"])
    ws.append([10, PERDUS[0], 0.1, 0.077, 0.101, 0.117, 0.017, "↘"])
    ws.append([10, DECROCHE[0], 0.9, 0.91, 0.875, None, -0.025, "↘"])
    for row in ws.iter_rows(min_row=8, max_row=9, min_col=3, max_col=7):
        for cell in row:
            cell.number_format = "0.0%"
    ws.freeze_panes = "C8"
    return _save(book, path)


PERCENT_CELLS = Layout(
    "percent_cells", "Titre fusionné sur deux lignes, en-tête en ligne 7, mois sans année (exercice 2025 du "
    "titre), cellules au format %", _percent_cells,
    _rows("87", {"APPELS_PERDUS": [7.7, 10.1, 11.7], "DECROCHE_5_SONNERIES": [91, 87.5, None]},
          [_month(2025, m) for m in range(1, 4)]),
)


# -- 13. First row typed: Code indicateur (référentiel codes, some blank) then Indicateur, date headers ----------
def _typed_first_row(path: Path) -> Path:
    book = Workbook()
    ws = book.active
    ws.title = "Export"
    ws.append(["Code indicateur", "Indicateur", date(2024, 11, 1), date(2024, 12, 1), "Tendance"])
    for cell in ws[1][2:4]:
        cell.number_format = "mmm-yy"
    ws.append(["COURRIER_DELAI", "Délai courriers (j)", 13, 12, "↘"])
    ws.append([None, PERDUS[0], 9, 8.5, "↘"])
    ws.append(["DELAI_CNI", "Cartes d'identité : délai de délivrance", 11, 12, "↗"])
    return _save(book, path)


TYPED_FIRST_ROW = Layout(
    "typed_first_row", "Code indicateur (codes du référentiel, parfois vide) puis Indicateur, dates en en-tête "
    "dès la ligne 1", _typed_first_row,
    _rows("2A", {"COURRIER_DELAI": [13, 12], "APPELS_PERDUS": [9, 8.5], "DELAI_CNI": [11, 12]},
          [_month(2024, 11), _month(2024, 12)]),
    site="2A",
)


# -- 14. Quarters written out, Moyenne and Rappel 2024 -------------------------------------------------------------
def _quarters_words(path: Path) -> Path:
    book = Workbook()
    ws = book.active
    ws.title = "Trimestriel"
    ws["A1"] = "Préfecture de Limoges — suivi trimestriel 2025"
    ws.append([])
    ws.append(["N°", "Indicateur", "1er trimestre", "2e trimestre", "Moyenne", "Rappel 2024"])
    ws.append([1, "Exercices de communication d'urgence réalisés", 1, 2, 1.5, 4])
    ws.append([2, "Informations du site internet vérifiées dans le trimestre", "100 %", "95 %", "97,5 %", "100 %"])
    return _save(book, path)


QUARTERS_WORDS = Layout(
    "quarters_words", "Trimestres « 1er trimestre » (année du titre), Moyenne, Rappel 2024", _quarters_words,
    _rows("87", {"EXERCICES_COMMUNICATION": [1, 2], "SITE_INFOS_VERIFIEES": [100, 95]},
          [_month(2025, 1), _month(2025, 4)], kind="quarter"),
)


CORPUS = [NUMERO_TOTAL, ENGAGEMENT_CUMUL, REF_ROW8, CODE_DATES, YEARS_ABOVE, ANNEE_ABOVE, NOTES_HIDDEN, FULL_NAMES,
          NUMBERED, REGIONAL, CSV, PERCENT_CELLS, TYPED_FIRST_ROW, QUARTERS_WORDS]
