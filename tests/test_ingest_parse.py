"""The pure parsing steps: periods, numbers, sites, labels, answers, file refusals."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pandas as pd
import pytest

from qualepref import sql
from qualepref.ingest import parse, readers
from qualepref.ingest.limits import Limits
from tests.test_ingest_support import national_scope


@pytest.mark.parametrize(("text", "expected"), [
    ("2025-01", (date(2025, 1, 1), "month")),
    ("01/2025", (date(2025, 1, 1), "month")),
    ("janv. 2025", (date(2025, 1, 1), "month")),
    ("Janvier 2025", (date(2025, 1, 1), "month")),
    ("janv.-25", (date(2025, 1, 1), "month")),
    ("févr.-24", (date(2024, 2, 1), "month")),
    ("AOÛT 2024", (date(2024, 8, 1), "month")),
    ("2025-03-17 00:00:00", (date(2025, 3, 1), "month")),
    ("17/03/2025", (date(2025, 3, 1), "month")),
    ("T1 2025", (date(2025, 1, 1), "quarter")),
    ("T4 2024", (date(2024, 10, 1), "quarter")),
    ("2024-T2", (date(2024, 4, 1), "quarter")),
    ("3e trimestre 2024", (date(2024, 7, 1), "quarter")),
    ("2025", (date(2025, 1, 1), "year")),
    ("Cible", None), ("17", None), ("13/2025", None), ("", None),
])
def test_periods(text, expected):
    assert parse.parse_period(text) == expected


def test_a_month_without_year_needs_the_title_year():
    assert parse.parse_period("mars") is None
    assert parse.parse_period("mars", default_year=2024) == (date(2024, 3, 1), "month")


def test_numbers():
    cells = pd.Series(["4,5", "4.5", "1 234", "1\u00a0234,5", "1\u202f234", "82 %", "82%", "4 j", "12 min",
                       "NC", "-", "n.c.", "s.o.", "ND", None, "beaucoup", "< 10 %"], dtype="object")
    numbers = parse.parse_numbers(cells)
    assert numbers.value.tolist()[:9] == [4.5, 4.5, 1234.0, 1234.5, 1234.0, 82.0, 82.0, 4.0, 12.0]
    assert numbers.missing.tolist() == [False] * 9 + [True] * 5 + [False] * 3
    assert numbers.empty.tolist() == [False] * 14 + [True, False, False]
    assert numbers.bad.tolist() == [False] * 15 + [True, True]
    assert numbers.percent.tolist() == [False] * 5 + [True, True] + [False] * 10


@pytest.fixture
def reference(db):
    from qualepref.ingest import reference

    return reference.load(db, national_scope(db))


@pytest.mark.parametrize(("spelling", "code"), [
    ("87", "87"), ("087", "87"), (1, "01"), ("1.0", "01"), ("2a", "2A"), ("2B", "2B"), ("971", "971"),
    ("Haute-Vienne", "87"), ("HAUTE VIENNE", "87"), ("Préfecture de la Haute-Vienne", "87"), ("Limoges", "87"),
    ("corse du sud", "2A"), ("Côtes-d'Armor", "22"), ("Cotes d Armor", "22"), ("La Réunion", "974"),
    ("Atlantide", None), ("99", None),
])
def test_site_spellings(reference, spelling, code):
    assert reference.sites.match(spelling) == code


def test_site_named_in_a_title(reference):
    assert reference.sites.find_in_text("Préfecture du Finistère — Tableau de bord — année 2024") == "29"
    assert reference.sites.find_in_text("Tableau de bord qualité 2024") is None


def test_labels_codes_synonyms_and_suggestions(reference):
    indicators = reference.indicators
    assert indicators.match("COURRIER_DELAI") == "COURRIER_DELAI"
    assert indicators.match("délai moyen de réponse aux COURRIERS (jours ouvrés)") == "COURRIER_DELAI"
    assert indicators.match("Taux d’appels perdus") == "APPELS_PERDUS"
    assert indicators.match("Délai courriels") == "COURRIEL_DELAI"  # a synonym of the référentiel
    assert indicators.match("Délai de traitement des courriers postaux") is None
    assert any("COURRIER_DELAI" in s for s in indicators.suggest("Délai de traitement des courriers postaux"))


def test_synonyms_come_from_the_database(db):
    from qualepref.ingest import reference

    with db.transaction() as cur:
        cur.execute("insert into synonyms values ('indicateur', 'DELAI_CNI', 'Attente carte d''identité')")
    assert reference.load(db, national_scope(db)).indicators.match("attente carte d'identité") == "DELAI_CNI"
    assert sql.run(db, "ingest_synonyms", scope=national_scope(db)).shape[0] > 0  # the admin page lists them


@pytest.mark.parametrize(("answer", "level"), [
    ("Très satisfait", "n_tres_satisfait"), ("plutôt satisfait", "n_satisfait"), ("Satisfait", "n_satisfait"),
    ("Plutôt mécontent", "n_peu_satisfait"), ("Plutôt pas satisfait", "n_peu_satisfait"),
    ("Très mécontent", "n_pas_du_tout_satisfait"), ("NSP", "n_sans_avis"), ("Ne sait pas", "n_sans_avis"),
    ("4", "n_tres_satisfait"), ("3.0", "n_satisfait"), (2, "n_peu_satisfait"), ("1", "n_pas_du_tout_satisfait"),
    ("0", "n_sans_avis"), ("5", None), ("Bof", None),
])
def test_survey_answers(answer, level):
    assert parse.answer_level(answer) == level


def test_the_zip_bomb_bound_is_checked_before_decompressing():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 2_000_000)
    content = buffer.getvalue()
    assert len(content) < 10_000
    with pytest.raises(readers.RefusedFile, match="anormalement volumineux"):
        readers.read(content, "bombe.xlsx", max_bytes=20_000_000, limits=Limits(max_uncompressed_bytes=1_000_000))


@pytest.mark.parametrize(("content", "encoding"), [
    ("Site;Valeur\nCorrèze;4,5\n".encode(), "utf-8"),
    (b"\xef\xbb\xbf" + "Site;Valeur\nCorrèze;4,5\n".encode(), "utf-8-sig"),
    ("Site;Valeur\nCorrèze;4,5\n".encode("cp1252"), "cp1252"),
])
def test_csv_encodings(content, encoding):
    sheet = readers.read(content, "f.csv", max_bytes=10_000)[0]
    assert sheet.frame.iat[0, 0] == "Site" and sheet.frame.iat[1, 0] == "Corrèze"


def test_every_refusal_of_a_whole_file_says_what_to_do():
    """The Import page shows a refused file's message alone (no cell to correct): it must say what to do."""
    import inspect

    from qualepref.ingest import limits

    figures = {"size": 30_000_000, "limit": 20_000_000, "count": 3_000, "line": 2, "seconds": 60, "method": 99,
               "part": "xl/workbook.xml", "sheet": "Feuil1"}
    silent = []
    for code, message in limits._MESSAGES.items():
        params = {name: figures[name] for name in inspect.signature(message).parameters}
        text = limits.refusal(code, **params).lower()
        if not any(verb in text for verb in ("enregistrez", "gardez", "découpez", "déposez", "copiez", "vérifiez",
                                             "retirez")):
            silent.append(f"{code}: {text}")
    assert not silent, "\n".join(silent)
