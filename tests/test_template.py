"""The import template: a real xlsx written, read back with openpyxl, filled and imported."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest
from openpyxl.utils.cell import range_boundaries

from qualepref import sql, template
from qualepref.access import Principal, Role
from tests.conftest import table_contents


def _admin_scope(db):
    with db.cursor() as cur:
        codes = [r[0] for r in cur.execute("select site_code from sites").fetchall()]
    return Principal("admin@test", Role.ADMIN).scope(codes)


def _referentiel(db):
    scope = _admin_scope(db)
    return (sql.run(db, "referentiel_indicators", scope=scope), sql.run(db, "referentiel_questions", scope=scope),
            sql.run(db, "sites", scope=scope))


def _build(db, **kwargs) -> openpyxl.Workbook:
    indicators, questions, sites = _referentiel(db)
    content = template.build(indicators, questions, sites, **kwargs)
    return openpyxl.load_workbook(io.BytesIO(content))


def _list_values(wb, formula: str) -> list:
    """The cells a list validation points at (`'Listes'!$A$2:$A$17`)."""
    sheet_name, cells = formula.rsplit("!", 1)
    ws = wb[sheet_name.strip("'")]
    min_col, min_row, max_col, max_row = range_boundaries(cells.replace("$", ""))
    assert min_col == max_col
    return [ws.cell(row=r, column=min_col).value for r in range(min_row, max_row + 1)]


def _validation_for(ws, column_letter: str):
    found = [v for v in ws.data_validations.dataValidation
             if any(rng.min_col == rng.max_col == openpyxl.utils.column_index_from_string(column_letter)
                    and rng.min_row == 2 for rng in v.sqref.ranges)]
    assert len(found) == 1, f"{ws.title}!{column_letter}: {len(found)} validations"
    return found[0]


def test_sheets_and_headers_follow_the_upload_contract(db):
    wb = _build(db)
    assert wb.sheetnames == ["Instructions", "Listes", "Indicateurs", "Enquête", "Conformité"]
    assert wb["Listes"].sheet_state == "hidden"
    assert wb.active.title == "Instructions"
    headers = {name: [c.value for c in wb[name][1]] for name in ("Indicateurs", "Enquête", "Conformité")}
    assert headers == {
        "Indicateurs": ["Site", "Indicateur", "Période", "Valeur", "Commentaire"],
        "Enquête": ["Site", "Campagne", "Question", "Très satisfait", "Satisfait", "Peu satisfait",
                    "Pas du tout satisfait", "Sans avis"],
        "Conformité": ["Site", "Module", "Engagement", "Date d'évaluation", "Type", "Résultat"],
    }
    for name in headers:
        ws = wb[name]
        assert ws.freeze_panes == "A2"
        # Headers only: a forgotten example row would otherwise be imported as real data.
        assert ws.max_row == 1
        assert all(c.comment is not None and c.comment.text for c in ws[1]), "every header explains itself"
    assert wb["Indicateurs"].column_dimensions["A"].number_format == "@"  # "01" stays "01"
    assert wb["Indicateurs"].column_dimensions["C"].number_format == "mmm yyyy"
    assert wb["Conformité"].column_dimensions["D"].number_format == "dd/mm/yyyy"


def test_drop_down_lists_point_at_the_referentiel_in_the_database(db):
    indicators, questions, sites = _referentiel(db)
    wb = _build(db)
    expected = {
        ("Indicateurs", "B"): list(indicators.indicator_label),
        ("Enquête", "C"): list(questions.question_label),
        ("Conformité", "E"): ["Auto-évaluation", "Audit interne", "Audit externe", "Enquête mystère"],
        ("Conformité", "F"): ["Conforme", "Partiellement conforme", "Non conforme", "Non applicable"],
    }
    for (sheet, column), values in expected.items():
        validation = _validation_for(wb[sheet], column)
        assert validation.type == "list" and validation.showErrorMessage
        assert validation.errorStyle in (None, "stop")
        assert _list_values(wb, validation.formula1) == values, (sheet, column)
    # Sites: a drop-down of names, but only a warning since codes and cities are accepted too.
    site_validation = _validation_for(wb["Indicateurs"], "A")
    assert site_validation.errorStyle == "warning"
    names = _list_values(wb, site_validation.formula1)
    assert len(names) == len(sites) and "Haute-Vienne" in names
    counts = _validation_for(wb["Enquête"], "D")
    assert counts.type == "whole" and counts.formula1 == "0"


def test_an_administrator_edit_of_the_referentiel_shows_up_in_the_next_template(db):
    with db.transaction() as cur:
        cur.execute("insert into indicators (indicator_code, indicator_label, module, engagement, unit, direction, "
                    "target, frequency, target_source) values ('DELAI_TEST', "
                    "'Délai de test ajouté par l''administrateur', 1, 3, 'jours', 'baisse', 8, 'mensuelle', null)")
        cur.execute("insert into questions values ('Q_TEST', 'Question ajoutée, avec une virgule ?', 1, 3)")
    wb = _build(db)
    assert "Délai de test ajouté par l'administrateur" in _list_values(
        wb, _validation_for(wb["Indicateurs"], "B").formula1)
    assert "Question ajoutée, avec une virgule ?" in _list_values(
        wb, _validation_for(wb["Enquête"], "C").formula1)
    instructions = "\n".join(str(c.value) for c in wb["Instructions"]["A"] if c.value)
    assert "DELAI_TEST" in instructions


def test_instructions_name_the_referents_prefecture_and_the_rules(db):
    text = "\n".join(str(c.value) for c in _build(db, site_code="87", max_upload_mb=12.5)["Instructions"]["A"]
                     if c.value)
    assert "Votre préfecture : 87 – Haute-Vienne" in text
    for needle in ("75 %", "NC", "T1 2025", "remplace", "12,5 Mo", ".xls", "COURRIER_DELAI"):
        assert needle in text, needle
    national = "\n".join(str(c.value) for c in _build(db)["Instructions"]["A"] if c.value)
    assert "Votre préfecture" not in national


@pytest.mark.parametrize("site_code", ["99", None])
def test_an_unknown_site_is_not_named(db, site_code):
    text = "\n".join(str(c.value) for c in _build(db, site_code=site_code)["Instructions"]["A"] if c.value)
    assert "Votre préfecture" not in text


def _filled_template(db) -> bytes:
    """The template as a référent fills it in Excel: picked labels, typed dates and percentages."""
    indicators, questions, _ = _referentiel(db)
    label = dict(zip(indicators.indicator_code, indicators.indicator_label, strict=True))
    question = dict(zip(questions.question_code, questions.question_label, strict=True))
    wb = _build(db, site_code="87")
    ws = wb["Indicateurs"]
    ws.append(["Haute-Vienne", label["COURRIER_DELAI"], datetime(2025, 1, 1), 12.5, "Relance du service"])
    ws.append([None, label["COURRIER_DELAI"], datetime(2025, 2, 1), 11, None])  # the importer's site
    ws.append(["87", "APPELS_PERDUS", datetime(2025, 1, 1), 0.075, None])  # typed "7,5 %" in Excel
    ws["D4"].number_format = "0.0%"
    ws = wb["Enquête"]
    ws.append(["87", 2025, question["GLOBAL"], 40, 35, 10, 5, 3])  # a label with a comma
    ws.append(["Haute-Vienne", 2025, question["ACCUEIL_COURTOIS"], 0, 0, 0, 0, 7])  # no opinion at all
    ws = wb["Conformité"]
    ws.append(["Haute-Vienne", 1, 2, datetime(2025, 3, 15), "Audit interne", "Partiellement conforme"])
    ws.append(["87", 1, 17, datetime(2025, 3, 15), "Auto-évaluation", "Non applicable"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_a_filled_template_imports_value_by_value(db):
    from qualepref import ingest

    scope = _admin_scope(db)
    plan = ingest.analyse(_filled_template(db), "modele-rempli.xlsx", db=db, scope=scope, site="87")
    assert plan.ok, plan.errors
    assert plan.kind == "mixte" and set(plan.site_codes) == {"87"}
    ingest.commit(plan, db=db, scope=scope, uploaded_by="referent87@test")
    with db.cursor() as cur:
        values = cur.execute("select site_code, indicator_code, period_start, period_kind, value "
                             "from v_indicator_values order by all").fetchall()
        surveys = cur.execute("select site_code, campaign, question_code, n_tres_satisfait, n_satisfait, "
                              "n_peu_satisfait, n_pas_du_tout_satisfait, n_sans_avis, n_expressed, "
                              "satisfaction_rate from v_survey_results order by all").fetchall()
        compliance = cur.execute("select * from v_compliance order by all").fetchall()
        comment = cur.execute("select comment from indicator_values where period_start = '2025-01-01' "
                              "and indicator_code = 'COURRIER_DELAI'").fetchone()
    assert values == [
        ("87", "APPELS_PERDUS", date(2025, 1, 1), "month", pytest.approx(7.5)),
        ("87", "COURRIER_DELAI", date(2025, 1, 1), "month", 12.5),
        ("87", "COURRIER_DELAI", date(2025, 2, 1), "month", 11.0),
    ]
    assert comment == ("Relance du service",)
    assert surveys == [
        ("87", "2025", "ACCUEIL_COURTOIS", 0, 0, 0, 0, 7, 0, None),
        ("87", "2025", "GLOBAL", 40, 35, 10, 5, 3, 90, pytest.approx(75 / 90)),
    ]
    assert compliance == [
        ("87", 1, 2, date(2025, 3, 15), "audit_interne", "partiel"),
        ("87", 1, 17, date(2025, 3, 15), "auto_evaluation", "non_applicable"),
    ]


def test_an_empty_template_is_refused_plainly_and_writes_nothing(db):
    from qualepref import ingest

    scope = _admin_scope(db)
    indicators, questions, sites = _referentiel(db)
    before = table_contents(db)
    plan = ingest.analyse(template.build(indicators, questions, sites), "modele.xlsx", db=db, scope=scope,
                          site="87")
    assert not plan.ok and plan.errors
    # One plain message, not one complaint per sheet of the template.
    assert len(plan.errors) == 1, plan.errors
    assert not any(issue.sheet in ("Instructions", "Listes") for issue in plan.errors)
    assert table_contents(db) == before


def test_a_template_with_one_sheet_filled_imports_without_complaining_about_the_others(db):
    from qualepref import ingest

    wb = _build(db, site_code="87")
    wb["Indicateurs"].append(["87", "COURRIER_DELAI", "T1 2025", "9,5 j"])
    buffer = io.BytesIO()
    wb.save(buffer)
    plan = ingest.analyse(buffer.getvalue(), "t1.xlsx", db=db, scope=_admin_scope(db))
    assert plan.ok, plan.errors
    assert plan.kind == "indicateurs"
    assert plan.counts["indicator_values"].new == 1


def test_the_templates_instructions_and_lists_are_ignored_silently(db):
    """Two rows typed in the « Indicateurs » sheet: imported; the instructions, the hidden lists and
    the data sheets left empty draw no warning (the instructions promise they are ignored)."""
    from qualepref import ingest

    indicators, _, _ = _referentiel(db)
    label = dict(zip(indicators.indicator_code, indicators.indicator_label, strict=True))
    wb = _build(db, site_code="87")
    wb["Indicateurs"].append(["87", label["COURRIER_DELAI"], "janv. 2025", 12.5])
    wb["Indicateurs"].append(["Haute-Vienne", "APPELS_PERDUS", "2025-02", "7,5 %"])
    buffer = io.BytesIO()
    wb.save(buffer)
    scope = _admin_scope(db)
    plan = ingest.analyse(buffer.getvalue(), "modele-rempli.xlsx", db=db, scope=scope)
    assert plan.ok, plan.errors
    assert plan.warnings == []
    assert plan.layouts == [("Indicateurs", "format long")]
    assert plan.rows_read == 2
    ingest.commit(plan, db=db, scope=scope, uploaded_by="tests")
    with db.cursor() as cur:
        values = cur.execute("select site_code, indicator_code, period_start, period_kind, value "
                             "from v_indicator_values order by all").fetchall()
    assert values == [("87", "APPELS_PERDUS", date(2025, 2, 1), "month", 7.5),
                      ("87", "COURRIER_DELAI", date(2025, 1, 1), "month", 12.5)]


def test_sheets_named_like_the_templates_are_not_skipped_in_other_workbooks(db):
    """Only a workbook holding both help sheets is the template: elsewhere an « Instructions » sheet
    is read like any other."""
    from qualepref import ingest

    wb = openpyxl.Workbook()
    wb.active.title = "Instructions"
    wb.active.append(["Site", "Indicateur", "Période", "Valeur"])
    wb.active.append(["87", "COURRIER_DELAI", "2025-01", 3])
    buffer = io.BytesIO()
    wb.save(buffer)
    plan = ingest.analyse(buffer.getvalue(), "instructions.xlsx", db=db, scope=_admin_scope(db))
    assert plan.ok and plan.layouts == [("Instructions", "format long")]
