"""The Import page faced with hostile uploads: a French refusal, nothing written, the session goes on."""

from __future__ import annotations

from datetime import date

from qualepref.bench import hostile_files
from qualepref.db import Database
from qualepref.ingest import MAX_FILES_PER_UPLOAD
from tests.conftest import table_contents
from tests.test_import_page import (  # noqa: F401  (app_db is a fixture)
    GOOD_CSV,
    REFERENT,
    XLSX,
    app_db,
    confirm_buttons,
    indicator_values,
    open_page,
    upload,
)


def test_a_file_that_ends_the_parsing_worker_is_refused_and_the_next_one_imports(app_db):  # noqa: F811
    """The shared-strings count makes calamine abort its process: the worker's, not the server's."""
    at = open_page(app_db, REFERENT)
    with Database(app_db) as db:
        before = table_contents(db)
    upload(at, "piege.xlsx", hostile_files.shared_strings_count(), XLSX)
    [refusal] = [e.value for e in at.error]
    assert refusal.startswith("**Fichier refusé**")
    assert refusal.split("\n\n")[1].startswith("Le fichier a été refusé par sécurité")
    assert [b.disabled for b in confirm_buttons(at)] == [True]
    with Database(app_db) as db:
        assert table_contents(db) == before
    # The same session, the same server: the next file is read by a fresh worker and imported.
    at.file_uploader(key="import_files").clear().run()
    upload(at, "bon.csv", GOOD_CSV)
    confirm_buttons(at)[0].click().run()
    assert indicator_values(app_db)[("87", "COURRIER_DELAI", date(2025, 1, 1), "month")] == 12.5


def test_too_many_files_at_once_are_refused_before_any_is_read(app_db):  # noqa: F811
    at = open_page(app_db, REFERENT)
    files = [(f"f{i}.csv", GOOD_CSV, "text/csv") for i in range(MAX_FILES_PER_UPLOAD + 1)]
    at.file_uploader(key="import_files").set_value(files).run()
    assert not at.exception, at.exception
    assert any("21 fichiers déposés ensemble : au plus 20 à la fois" in e.value.replace("\u202f", " ")
               for e in at.error)
    assert not confirm_buttons(at)
    assert "import_plans" not in at.session_state or not at.session_state["import_plans"]


# -- a file refused as a whole says so, and what to do; cell errors keep their own message ------------------
DOES = ("enregistrez", "gardez", "découpez", "déposez", "copiez", "vérifiez")


def _whole_file_cases() -> list[tuple[str, str, bytes, str, str]]:
    """(case, file name, bytes, mime, kind chosen on the page): one per kind of refusal of the whole file."""
    import zipfile
    from io import BytesIO

    ods = BytesIO()
    with zipfile.ZipFile(ods, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    password = ole2 + b"\x00" * 64 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64
    cases = [(name, file_name, content, XLSX if file_name.endswith("xlsx") else "text/csv", "auto")
             for name, (file_name, content) in hostile_files.corpus(scale=0.01).items()
             if name != "table_partagee_4e9"]  # the worker's death: its own test above
    return [
        *cases,
        ("mot_de_passe", "protege.xlsx", password, XLSX, "auto"),
        ("ancien_xls", "ancien.xls", ole2 + b"\x00" * 600, "application/vnd.ms-excel", "auto"),
        ("opendocument", "classeur.xlsx", ods.getvalue(), XLSX, "auto"),
        ("pas_un_classeur", "faux.xlsx", b"ceci n'est pas un classeur", XLSX, "auto"),
        ("binaire", "image.csv", bytes(range(256)) * 8, "text/csv", "auto"),
        ("vide", "vide.csv", b"", "text/csv", "auto"),
        ("mauvais_type", "janvier.csv", GOOD_CSV, "text/csv", "conformite"),
    ]


def test_a_file_refused_as_a_whole_says_what_is_wrong_and_what_to_do(app_db):  # noqa: F811
    """No « Corrigez les cellules… » and no table of empty cells when no cell is the cause (audit, round 2)."""
    at = open_page(app_db, REFERENT)
    problems = []
    for case, name, content, mime, kind in _whole_file_cases():
        at.radio(key="import_kind").set_value(kind).run()
        at.file_uploader(key="import_files").set_value([(name, content, mime)]).run()
        assert not at.exception, (case, at.exception)
        texts = [e.value for e in at.error]
        whole = ("**Fichier refusé**", "**Ce fichier ne peut pas être importé**")
        if len(texts) != 1 or not texts[0].startswith(whole):
            problems.append(f"{case}: {texts}")
            continue
        reason = texts[0].split("\n\n", 1)[1].lower()
        if not any(verb in reason for verb in DOES):
            problems.append(f"{case}: no advice in {reason!r}")
        if any("Corrigez les cellules" in t for t in texts) or at.dataframe:
            problems.append(f"{case}: shown as cell errors")
        if [b.disabled for b in confirm_buttons(at)] != [True]:
            problems.append(f"{case}: confirm not disabled")
    assert not problems, "\n".join(problems)


def test_cell_errors_keep_their_table_and_no_cell_reads_none(app_db):  # noqa: F811
    at = open_page(app_db, REFERENT)
    bad = GOOD_CSV.replace(b"12,5", b"douze")
    upload(at, "janvier.csv", bad)
    assert any("Corrigez les cellules" in e.value for e in at.error)
    assert not any("Fichier refusé" in e.value for e in at.error)
    [table] = [d for d in at.dataframe if "Message" in d.value.columns]
    assert table.proto.placeholder == "–"  # an empty cell of the table reads « – », never « None »
    assert not {"None", "nan", "<NA>"} & {str(v) for v in table.value.to_numpy().ravel()}
