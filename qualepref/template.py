"""The downloadable import template (xlsx), built from the référentiel stored in the database.

Pure: DataFrames in, bytes out. The drop-down lists read a hidden "Listes"
sheet filled from the référentiel passed in, so an indicator or question an
administrator adds shows up in the next template without a code change.

The data sheets hold headers only, never example rows: a forgotten example
would be imported as real data. Examples are written as prose on the
"Instructions" sheet, in sentences rather than a table, so no importer can
mistake them for data.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from qualepref import fmt, vocab
from qualepref.formulas import set_text
from qualepref.ingest.layouts import TEMPLATE_HELP_SHEETS

HEADER_FILL = PatternFill("solid", fgColor=vocab.BLEU_FRANCE.lstrip("#"))
HEADER_FONT = Font(bold=True, color="FFFFFF")
TITLE_FONT = Font(bold=True, size=14, color=vocab.BLEU_FRANCE.lstrip("#"))
SECTION_FONT = Font(bold=True, size=12, color=vocab.BLEU_FRANCE.lstrip("#"))
# Validations and formats reach this row: far more than a year of a tableau de bord.
LAST_ROW = 5000

ASSESSMENT_TYPES = tuple(vocab.ASSESSMENT_TYPES.label(code) for code in vocab.ASSESSMENT_FORM_ORDER)
RESULTS = tuple(vocab.COMPLIANCE_RESULTS.label(code) for code in ("conforme", "partiel", "non_conforme",
                                                                   "non_applicable"))
SURVEY_LEVELS = tuple(vocab.SURVEY_ANSWERS.labels().values())
# The importer skips these two sheets of the template silently (`ingest.layouts.TEMPLATE_HELP_SHEETS`).
INSTRUCTIONS_SHEET, LISTS_SHEET = TEMPLATE_HELP_SHEETS


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    help: str
    number_format: str | None = None


SHEETS: dict[str, tuple[Column, ...]] = {
    "Indicateurs": (
        Column("Site", 22, "Code (87, 2A), nom (Haute-Vienne) ou chef-lieu (Limoges) de la préfecture. "
               "Vide : la préfecture choisie au moment de l'import.", "@"),
        Column("Indicateur", 58, "Choisissez dans la liste (ou écrivez le code de l'indicateur)."),
        Column("Période", 14, "Mois (janv. 2025, 01/2025, 2025-01), trimestre (T1 2025) ou année (2025).",
               "mmm yyyy"),
        Column("Valeur", 12, "Dans l'unité de l'indicateur. Taux en points : 7,5 ou 7,5 %. "
               "NC ou - : valeur manquante (supprime la valeur enregistrée).", "#,##0.0"),
        Column("Commentaire", 50, "Facultatif."),
    ),
    "Enquête": (
        Column("Site", 22, "Code, nom ou chef-lieu de la préfecture. Vide : la préfecture choisie à l'import.",
               "@"),
        Column("Campagne", 12, "Année de l'enquête (2025).", "0"),
        Column("Question", 70, "Choisissez dans la liste (ou écrivez le code de la question)."),
        *(Column(level, 14, f"Nombre de réponses « {level} » (entier positif ou nul).", "0")
          for level in SURVEY_LEVELS),
    ),
    "Conformité": (
        Column("Site", 22, "Code, nom ou chef-lieu de la préfecture. Vide : la préfecture choisie à l'import.",
               "@"),
        Column("Module", 10, "Numéro du module (1 à 8).", "0"),
        Column("Engagement", 13, "Numéro de l'engagement dans le référentiel.", "0"),
        Column("Date d'évaluation", 17, "Date (jj/mm/aaaa).", "dd/mm/yyyy"),
        Column("Type", 20, "Auto-évaluation, audit interne, audit externe ou enquête mystère."),
        Column("Résultat", 24, "Conforme, partiellement conforme, non conforme ou non applicable."),
    ),
}


def _instructions(indicators: pd.DataFrame, site_label: str | None, max_upload_mb: float) -> list[tuple[str, str]]:
    """(style, text) lines of the Instructions sheet; style is title, section or text."""
    example_indicator = indicators.indicator_label.iloc[0] if len(indicators) else "Délai moyen de réponse"
    site_example = site_label or "87"
    lines = [
        ("title", "Qual-e-Pref · Modèle d'import des données qualité"),
        ("text", "Remplissez une ou plusieurs des feuilles « Indicateurs », « Enquête » et « Conformité », "
                 "puis déposez le fichier sur la page « Import » de l'application. Les feuilles laissées vides "
                 "sont ignorées. Ne renommez pas les en-têtes (ligne 1)."),
    ]
    if site_label:
        lines.append(("text", f"Votre préfecture : {site_label}. Vous pouvez laisser la colonne « Site » vide : "
                              "c'est alors la préfecture choisie sur la page d'import qui est utilisée."))
    else:
        lines.append(("text", "Colonne « Site » : code du département (87, 2A, 971), nom (Haute-Vienne) ou "
                              "chef-lieu (Limoges). Si elle est vide, c'est la préfecture choisie sur la page "
                              "d'import qui est utilisée."))
    lines += [
        ("section", "Feuille « Indicateurs » : une ligne par indicateur et par période"),
        ("text", "Indicateur : choisissez-le dans la liste déroulante (libellé) ou écrivez son code."),
        ("text", "Période : un mois (janv. 2025, 01/2025, 2025-01 ou une date), un trimestre (T1 2025) ou une "
                 "année (2025)."),
        ("text", "Valeur : dans l'unité de l'indicateur (voir la liste en bas de cette feuille). Les taux sont "
                 "en points : écrivez 7,5 ou 7,5 % pour 7,5 %."),
        ("text", f"Exemple (à ne pas recopier tel quel) : Site = {site_example} ; Indicateur = "
                 f"{example_indicator} ; Période = janv. 2025 ; Valeur = 12,5 ; Commentaire = (facultatif)."),
        ("section", "Feuille « Enquête » : résultats agrégés d'une campagne de satisfaction"),
        ("text", "Une ligne par question et par campagne (année), avec le nombre de réponses pour chaque "
                 "niveau : Très satisfait, Satisfait, Peu satisfait, Pas du tout satisfait, Sans avis."),
        ("text", "Taux de satisfaction = (Très satisfait + Satisfait) / réponses exprimant un avis (sans les "
                 "« Sans avis »). Un taux inférieur à 75 % appelle des actions d'amélioration."),
        ("text", "Un export brut de questionnaire (une ligne par répondant, une colonne par question) est aussi "
                 "accepté tel quel : inutile de le recopier ici."),
        ("text", f"Exemple : Site = {site_example} ; Campagne = 2025 ; Question = accueil attentif et courtois ; "
                 "Très satisfait = 40 ; Satisfait = 35 ; Peu satisfait = 10 ; Pas du tout satisfait = 5 ; "
                 "Sans avis = 3 (taux : 75 / 90 = 83,3 %)."),
        ("section", "Feuille « Conformité » : évaluations des engagements"),
        ("text", "Une ligne par engagement évalué : module, numéro d'engagement, date, type (auto-évaluation, "
                 "audit interne, audit externe, enquête mystère) et résultat (conforme, partiellement conforme, "
                 "non conforme, non applicable)."),
        ("text", "Écrivez « Non conforme » ou « Non applicable » en toutes lettres : « NC » est ambigu et refusé."),
        ("text", f"Exemple : Site = {site_example} ; Module = 1 ; Engagement = 2 ; Date d'évaluation = "
                 "15/03/2025 ; Type = Audit interne ; Résultat = Conforme."),
        ("section", "Formats acceptés"),
        ("text", "Nombres : 4,5 ou 4.5 ; 1 234 ; 82 % ; une unité après le nombre est tolérée (4 j, 12 min)."),
        ("text", "Valeur manquante : -, NC, ND, n.c. ou s.o. (jamais 0). Une cellule vide est simplement ignorée."),
        ("text", "Fichiers : .xlsx (plusieurs feuilles possibles) ou .csv (séparateur ; ou ,). Les anciens .xls "
                 "et les fichiers protégés par mot de passe sont refusés. Taille maximale : "
                 + fmt.compact(max_upload_mb) + " Mo."),
        ("section", "Ce qui remplace quoi"),
        ("text", "Une valeur remplace la valeur enregistrée pour la même préfecture, le même indicateur et la même "
                 "période : réimporter un mois corrigé le remplace."),
        ("text", "Une valeur manquante explicite (NC, -) supprime la valeur enregistrée ; une cellule vide la laisse "
                 "intacte."),
        ("text", "Une ligne d'enquête remplace la même préfecture × campagne × question ; une évaluation remplace la "
                 "même préfecture × module × engagement × date × type."),
        ("text", "Réimporter exactement le même fichier ne change rien. Avant tout enregistrement, la page d'import "
                 "affiche un aperçu et la liste complète des erreurs (feuille, ligne, colonne)."),
        ("section", "Indicateurs du référentiel (code — libellé — unité — cible)"),
    ]
    for row in indicators.itertuples(index=False):
        target = ""
        if pd.notna(row.target):
            target = " — " + fmt.target(row.target, row.unit, row.direction,
                                         indicative=bool(getattr(row, "target_indicative", False))).lower()
        lines.append(("text", f"{row.indicator_code} — {row.indicator_label} — {row.unit}{target}"))
    return lines


def _style_header(ws, columns: tuple[Column, ...]) -> None:
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index)
        set_text(cell, column.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        cell.comment = Comment(column.help, "Qual-e-Pref")
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = column.width
        if column.number_format:
            # A column style, not styled empty cells: the sheet stays empty for the importer.
            ws.column_dimensions[letter].number_format = column.number_format
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 30


def _list_validation(ws, lists_range: str, column_letter: str, prompt: str, *, strict: bool = True) -> None:
    validation = DataValidation(
        type="list", formula1=lists_range, allow_blank=True, showDropDown=False,
        showErrorMessage=True, errorStyle="stop" if strict else "warning",
        errorTitle="Valeur hors liste", error="Choisissez une valeur de la liste déroulante.",
        showInputMessage=True, promptTitle="Liste", prompt=prompt,
    )
    validation.add(f"{column_letter}2:{column_letter}{LAST_ROW}")
    ws.add_data_validation(validation)


def _whole_validation(ws, column_letter: str, low: int, high: int, message: str) -> None:
    validation = DataValidation(
        type="whole", operator="between", formula1=str(low), formula2=str(high), allow_blank=True,
        showErrorMessage=True, errorTitle="Nombre attendu", error=message,
    )
    validation.add(f"{column_letter}2:{column_letter}{LAST_ROW}")
    ws.add_data_validation(validation)


def _write_lists(ws, columns: dict[str, list[str]]) -> dict[str, str]:
    """One list per column of the hidden sheet; returns absolute ranges (`'Listes'!$A$2:$A$17`)."""
    ranges = {}
    for index, (name, values) in enumerate(columns.items(), start=1):
        letter = get_column_letter(index)
        header = ws.cell(row=1, column=index)
        set_text(header, name)
        header.font = Font(bold=True)
        for offset, value in enumerate(values, start=2):
            set_text(ws.cell(row=offset, column=index), value)  # a label is text, never a formula
        last = max(2, len(values) + 1)
        ranges[name] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${last}"
        ws.column_dimensions[letter].width = 40
    return ranges


def build(indicators: pd.DataFrame, questions: pd.DataFrame, sites: pd.DataFrame, *,
          modules: list[int] | None = None, site_code: str | None = None,
          max_upload_mb: float = 20) -> bytes:
    """The template workbook.

    `indicators`, `questions` and `sites` are the référentiel as the
    `referentiel_indicators`, `referentiel_questions` and `sites` queries
    return them; `site_code` is the référent's prefecture, named in the
    instructions when known.
    """
    site_names = dict(zip(sites.site_code, sites.site_name, strict=True))
    site_label = f"{site_code} – {site_names[site_code]}" if site_code in site_names else None
    modules = sorted(modules) if modules else sorted(set(map(int, indicators.module)) | {1})

    wb = Workbook()
    ws = wb.active
    ws.title = INSTRUCTIONS_SHEET
    ws.column_dimensions["A"].width = 130
    fonts = {"title": TITLE_FONT, "section": SECTION_FONT}
    row = 1
    for style, text in _instructions(indicators, site_label, max_upload_mb):
        if style == "section":
            row += 1  # a blank line before each section
        cell = ws.cell(row=row, column=1)
        set_text(cell, text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if style in fonts:
            cell.font = fonts[style]
        row += 1

    lists = wb.create_sheet(LISTS_SHEET)
    ranges = _write_lists(lists, {
        "Indicateurs": list(indicators.indicator_label),
        "Questions": list(questions.question_label),
        "Types": list(ASSESSMENT_TYPES),
        "Résultats": list(RESULTS),
        "Sites": [site_names[c] for c in sorted(site_names)],
    })
    lists.sheet_state = "hidden"

    for title, columns in SHEETS.items():
        sheet = wb.create_sheet(title)
        _style_header(sheet, columns)
        letters = {c.header: get_column_letter(i) for i, c in enumerate(columns, start=1)}
        # Sites: a warning only, since codes and city names are accepted too.
        _list_validation(sheet, ranges["Sites"], letters["Site"],
                         "Nom de la préfecture (un code ou un chef-lieu est aussi accepté).", strict=False)
        if title == "Indicateurs":
            _list_validation(sheet, ranges["Indicateurs"], letters["Indicateur"], "Indicateur du référentiel.")
        elif title == "Enquête":
            _list_validation(sheet, ranges["Questions"], letters["Question"], "Question du référentiel.")
            _whole_validation(sheet, letters["Campagne"], 2000, 2100, "Année de la campagne, par exemple 2025.")
            for level in SURVEY_LEVELS:
                _whole_validation(sheet, letters[level], 0, 10_000_000, "Nombre entier positif ou nul.")
        else:
            _list_validation(sheet, ranges["Types"], letters["Type"], "Type d'évaluation.")
            _list_validation(sheet, ranges["Résultats"], letters["Résultat"], "Résultat de l'évaluation.")
            _whole_validation(sheet, letters["Module"], min(modules), max(modules), "Numéro de module.")
            _whole_validation(sheet, letters["Engagement"], 1, 999, "Numéro d'engagement.")
    wb.active = wb.sheetnames.index(INSTRUCTIONS_SHEET)

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# -- labelling and sites --------------------------------------------------------------------------
LABELLING_SHEETS: dict[str, tuple[Column, ...]] = {
    "Périmètre": (
        Column("Site", 22, "Code (87, 87011), nom ou ville du site. Vide : le site choisi à l'import.", "@"),
        Column("Module", 10, "Numéro du module (1 à 8). Le module 1 est obligatoire.", "0"),
        Column("Date de la décision", 18, "Date de la décision qui retient ou abandonne le module (jj/mm/aaaa).",
               "dd/mm/yyyy"),
        Column("Retenu", 10, "oui : le module est retenu à cette date ; non : il est abandonné."),
        Column("Décision", 34, "L'instance qui a décidé, ex. « COPIL du 01/07/2021 »."),
    ),
    "Étapes": (
        Column("Site", 22, "Code, nom ou ville du site. Vide : le site choisi à l'import.", "@"),
        Column("Étape", 26, "Engagement, auto-évaluation, enquête mystère, audit interne, audit externe, décision, "
                            "audit de suivi ou renouvellement."),
        Column("Date", 14, "Date de l'étape (jj/mm/aaaa). Une date future : audit programmé.", "dd/mm/yyyy"),
        Column("Organisme", 26, "Organisme d'audit (audits, décision)."),
        Column("Date du rapport", 16, "Date du rapport d'audit (facultatif).", "dd/mm/yyyy"),
        Column("Résultat", 14, "favorable ou défavorable (audit externe, décision, audit de suivi, renouvellement)."),
        Column("Version du référentiel", 22, "Version du référentiel du label accordé (décision, renouvellement)."),
        Column("Valable jusqu'au", 16, "Fin de validité du label accordé (décision, renouvellement favorable).",
               "dd/mm/yyyy"),
        Column("Prochaine échéance", 18, "Prochain audit de suivi. Vide : un an après une décision, un audit de suivi "
                                         "ou un renouvellement favorable.", "dd/mm/yyyy"),
        Column("Commentaire", 40, "Facultatif (ex. « COPIL du 01/07/2021 » pour l'engagement)."),
    ),
    "Constats": (
        Column("Site", 22, "Code, nom ou ville du site. Vide : le site choisi à l'import.", "@"),
        Column("Audit", 20, "L'audit dont vient le constat : audit interne, audit externe, audit de suivi, "
                            "renouvellement ou enquête mystère (il doit être enregistré ou dans la feuille Étapes)."),
        Column("Date de l'audit", 16, "Date de cet audit (jj/mm/aaaa).", "dd/mm/yyyy"),
        Column("Nature", 22, "point fort, non-conformité ou piste d'amélioration."),
        Column("Module", 10, "Facultatif.", "0"),
        Column("Engagement", 13, "Facultatif.", "0"),
        Column("Constat", 60, "Ce que l'auditeur a relevé."),
        Column("Levée le", 14, "Pour une non-conformité levée : la date (jj/mm/aaaa).", "dd/mm/yyyy"),
    ),
}
SITES_SHEET: tuple[Column, ...] = (
    Column("Code", 12, "Préfecture : code du département (87, 2A). Autre site : code INSEE de la commune (87011).",
           "@"),
    Column("Type", 22, "préfecture, sous-préfecture, haut-commissariat, préfecture de police ou autre service."),
    Column("Nom", 30, "Nom tel qu'il s'écrit : « Haute-Vienne », « Le Havre »."),
    Column("Article", 10, "le, la, les, l', de ou d' (ou le code TNCC de l'INSEE, 0 à 8)."),
    Column("Rattachement", 14, "Sous-préfecture : le code de sa préfecture.", "@"),
    Column("Ville", 24, "Ville du site."),
    Column("Région", 10, "Code INSEE de la région (vide pour une sous-préfecture : celle de sa préfecture).", "@"),
    Column("Longitude", 12, "Degrés décimaux (WGS84), facultatif.", "0.0000"),
    Column("Latitude", 12, "Degrés décimaux (WGS84), facultatif.", "0.0000"),
    Column("Actif", 8, "oui ou non."),
)


def _simple_workbook(title: str, lines: list[str], sheets: dict[str, tuple[Column, ...]],
                     lists: dict[str, list[str]], validations: dict[tuple[str, str], str]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = INSTRUCTIONS_SHEET
    ws.column_dimensions["A"].width = 130
    ws.cell(row=1, column=1, value=title).font = TITLE_FONT
    for row, text in enumerate(lines, start=3):
        cell = ws.cell(row=row, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    lists_ws = wb.create_sheet(LISTS_SHEET)
    ranges = _write_lists(lists_ws, lists)
    lists_ws.sheet_state = "hidden"
    for name, columns in sheets.items():
        sheet = wb.create_sheet(name)
        _style_header(sheet, columns)
        letters = {c.header: get_column_letter(i) for i, c in enumerate(columns, start=1)}
        for (sheet_name, header), list_name in validations.items():
            if sheet_name == name:
                _list_validation(sheet, ranges[list_name], letters[header], f"{header} : choisissez dans la liste.",
                                 strict=False)
    wb.active = wb.sheetnames.index(INSTRUCTIONS_SHEET)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def build_labelling(site_label: str | None = None) -> bytes:
    """The template of the import kind `labellisation`: périmètre, stages and audit findings."""
    from qualepref import vocab

    lines = [
        "Remplissez une ou plusieurs des feuilles « Périmètre », « Étapes » et « Constats », puis déposez le fichier "
        "sur la page « Import » (type « Labellisation ») ou : python -m qualepref import fichier.xlsx --kind "
        "labellisation. Les feuilles laissées vides sont ignorées. Ne renommez pas les en-têtes (ligne 1).",
        f"Site utilisé quand la colonne « Site » est vide : {site_label}." if site_label else
        "Colonne « Site » : code (87, 87011), nom (Haute-Vienne, Bellac) ou ville du site.",
        "Périmètre : une ligne par décision — le module retenu (Retenu = oui) ou abandonné (non) à une date, avec "
        "l'instance qui l'a décidé. L'historique est conservé : n'effacez pas les anciennes décisions.",
        "Étapes : une ligne par étape du label, dans l'ordre de la démarche : engagement (décision du COPIL), "
        "auto-évaluation, enquête mystère, audit interne (1 à 3 mois avant l'audit externe), audit externe, "
        "décision (label accordé : version du référentiel et fin de validité), audits de suivi annuels, "
        "renouvellement. Une date future enregistre un audit programmé, sans résultat.",
        "Constats : ce que chaque audit a relevé — points forts, non-conformités, pistes d'amélioration. L'audit "
        "(type et date) doit être déjà enregistré ou figurer dans la feuille « Étapes ». Chaque constat reçoit un "
        "numéro stable ; réimporter le même constat ne le duplique pas.",
        "Exemple (à ne pas recopier tel quel) : Site = 87 ; Étape = Audit externe ; Date = 15/06/2022 ; Organisme = "
        "AFNOR Certification ; Résultat = favorable.",
        "Une même étape (site, type, date) importée à nouveau est mise à jour ; une cellule vide ne supprime rien.",
    ]
    lists = {
        "Étapes": [t.short_label for t in vocab.LABEL_EVENT_KINDS],
        "Résultats": ["favorable", "défavorable"],
        "Natures": [t.label for t in vocab.FINDING_KINDS],
        "Oui/non": ["oui", "non"],
        "Audits": [vocab.LABEL_EVENT_KINDS.short(k) for k in ("audit_interne", "audit_externe", "audit_suivi",
                                                               "renouvellement", "enquete_mystere")],
    }
    validations = {("Étapes", "Étape"): "Étapes", ("Étapes", "Résultat"): "Résultats",
                   ("Constats", "Nature"): "Natures", ("Périmètre", "Retenu"): "Oui/non",
                   ("Constats", "Audit"): "Audits"}
    return _simple_workbook("Qual-e-Pref · Modèle d'import de la labellisation", lines, LABELLING_SHEETS, lists,
                            validations)


def build_sites() -> bytes:
    """The template of the import kind `sites` (administrator)."""
    from qualepref import vocab

    lines = [
        "Une ligne par site à créer ou à modifier (le code identifie le site). Déposez le fichier sur la page "
        "« Import » (type « Sites ») ou : python -m qualepref import sites.xlsx --kind sites. Chaque création ou "
        "modification est tracée dans l'historique des changements.",
        "Code : le code du département pour une préfecture (87, 2A, 971) ; le code INSEE de la commune pour un autre "
        "site (87011 pour la sous-préfecture de Bellac). Une sous-préfecture est rattachée à sa préfecture.",
        "Article : celui que le Code officiel géographique de l'INSEE donne au nom (la Haute-Vienne, le Nord, "
        "l'Ain, les Bouches-du-Rhône) ; il sert à écrire « Préfecture de la Haute-Vienne ».",
        "Exemple : Code = 87011 ; Type = sous-préfecture ; Nom = Bellac ; Article = de ; Rattachement = 87 ; "
        "Ville = Bellac ; Actif = oui.",
    ]
    lists = {"Types": [t.label for t in vocab.SITE_KINDS], "Oui/non": ["oui", "non"],
             "Articles": ["de", "d'", "le", "la", "les", "l'"]}
    validations = {("Sites", "Type"): "Types", ("Sites", "Actif"): "Oui/non", ("Sites", "Article"): "Articles"}
    return _simple_workbook("Qual-e-Pref · Modèle d'import des sites", lines, {"Sites": SITES_SHEET}, lists,
                            validations)


TARGETS_SHEET: tuple[Column, ...] = (
    Column("Indicateur", 44, "Libellé ou code de l'indicateur du référentiel ; « Seuil de satisfaction » pour le "
                             "seuil d'alerte des enquêtes."),
    Column("Site", 12, "Vide : cible nationale (administrateur). Sinon le code du site (87, 87011), son nom ou sa "
                       "ville.", "@"),
    Column("Cible", 10, "Un nombre, dans l'unité de l'indicateur (pourcentages en points : 90 pour 90 %).", "0.0"),
    Column("Strict", 10, "oui : « en moins de 15 jours » (15,0 manque la cible) ; non : « au plus 15 jours »."),
    Column("Valable du", 14, "Date d'effet (jj/mm/aaaa) ; vide = depuis toujours.", "dd/mm/yyyy"),
    Column("Valable au", 14, "Dernier jour (jj/mm/aaaa) ; vide = jusqu'à nouvel ordre.", "dd/mm/yyyy"),
    Column("Source", 40, "Ce qui fixe la cible : « décision du COPIL du 19/10/2021 », « référentiel national 2018 »."),
)


def build_targets(indicators: pd.DataFrame) -> bytes:
    """The template of the import kind `cibles`: national targets and sites' own, dated, with their source."""
    lines = [
        "Une ligne par cible. Déposez le fichier sur la page « Import » (type « Cibles ») ou : python -m qualepref "
        "import cibles.xlsx --kind cibles. Ne renommez pas les en-têtes (ligne 1).",
        "Site vide : la cible nationale, que seul l'administrateur importe. Site rempli : la cible propre du site "
        "(« notre cible ») ; importée par un référent, elle attend l'approbation d'un administrateur ; importée "
        "par l'administrateur, elle vaut aussitôt. Une sous-préfecture sans cible propre suit celle de sa "
        "préfecture.",
        "Une cible vaut à partir de « Valable du » : la cible d'avant du même indicateur et du même site s'arrête "
        "la veille, et les mois d'avant gardent leur cible et leur verdict.",
        "Exemple (à ne pas recopier tel quel) : Indicateur = Délai moyen de réponse aux courriers ; Site = 87 ; "
        "Cible = 10 ; Strict = oui ; Valable du = 01/01/2026 ; Source = décision du COPIL du 15/12/2025.",
        "Le même fichier importé deux fois ne change rien.",
    ]
    with_direction = indicators[indicators.direction.isin(["baisse", "hausse"])]
    lists = {"Indicateurs": [*with_direction.indicator_label, "Seuil de satisfaction"], "Oui/non": ["oui", "non"]}
    validations = {("Cibles", "Indicateur"): "Indicateurs", ("Cibles", "Strict"): "Oui/non"}
    return _simple_workbook("Qual-e-Pref · Modèle d'import des cibles", lines, {"Cibles": TARGETS_SHEET}, lists,
                            validations)
