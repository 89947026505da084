"""Wide tableaux de bord as prefectures publish them (issue 12.8): every file of the corpus imports
to exactly the values it holds; a column of numbers under an unknown header is still refused."""

from __future__ import annotations

import pytest

from qualepref.ingest import samples
from tests.test_ingest_support import analyse, import_file, indicator_rows
from tests.wide_corpus import CORPUS


@pytest.mark.parametrize("layout", CORPUS, ids=[layout.name for layout in CORPUS])
def test_every_layout_of_the_corpus_imports_exactly_its_values(db, tmp_path, layout):
    path = layout.write(tmp_path / f"{layout.name}.xlsx")
    plan, result = import_file(db, path, **({"site": layout.site} if layout.site else {}))
    assert indicator_rows(db) == layout.expected, plan.errors_frame().to_string()
    assert result.rows_written == len(layout.expected)
    warnings = " | ".join(w.message for w in plan.warnings)
    for word in layout.warnings:
        assert word in warnings, warnings


def test_the_corpus_holds_at_least_twelve_layouts():
    assert len({layout.name for layout in CORPUS}) >= 12


def test_an_unknown_column_of_numbers_is_refused_naming_its_header(db, tmp_path):
    rows = [["Préfecture de la Haute-Vienne — 2025"],
            ["N°", "Indicateur", "janv.", "févr.", "Prévision", "Total"],
            [1, "Délai moyen de réponse aux courriers", 10, 11, 12, 21]]
    path = samples.write_rows_xlsx(tmp_path / "prevision.xlsx", {"TDB": rows})
    plan = analyse(db, path)
    assert not plan.ok
    [error] = plan.errors
    assert (error.sheet, error.row, error.column, error.value) == ("TDB", 2, "E (Prévision)", "Prévision")
    assert "« Prévision »" in error.message
    assert "renommez" in error.message and "supprimez" in error.message


def test_an_engagement_number_does_not_match_an_unrelated_label(db, tmp_path):
    """Engagement 7 has one indicator (waiting time): a label that says something else is not taken for it."""
    rows = [["Préfecture de la Haute-Vienne — 2025"],
            ["N° engagement", "Indicateur", "janv.", "févr."],
            [7, "Nombre de visiteurs accueillis", 1500, 1420]]
    path = samples.write_rows_xlsx(tmp_path / "visiteurs.xlsx", {"TDB": rows})
    plan = analyse(db, path)
    [error] = plan.errors
    assert error.message.startswith("Indicateur inconnu") and error.value == "Nombre de visiteurs accueillis"
