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
    assert any("1 erreur(s)" in e.value for e in at.error)
    [message] = at.dataframe[0].value["Message"]
    assert message.startswith("Le fichier a été refusé par sécurité")
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
