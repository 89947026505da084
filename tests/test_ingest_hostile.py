"""Hostile uploads: each refused in French, nothing written, the server unharmed (issue 11, items 1, 7, 8).

The files come from `qualepref.bench.hostile_files`, which the benchmark
measures too; here some are smaller where the point survives.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import zipfile

import pytest

from qualepref import ingest
from qualepref.bench import hostile_files as hostile
from qualepref.db import Database
from qualepref.ingest import archive, readers, samples, worker
from qualepref.ingest.limits import Limits, RefusedFile
from tests.conftest import ROOT, table_contents
from tests.test_ingest_support import TODAY, import_file, indicator_rows, national_scope

LONG = ["Site", "Indicateur", "Période", "Valeur"]
GOOD_ROWS = [LONG, ["87", "COURRIER_DELAI", "2025-01", 9], ["33", "APPELS_PERDUS", "2025-01", 8]]

# name → (file name, builder, words of the French refusal, sheet named by the refusal)
CORPUS = {
    "lying_zip_sizes": ("menteur.xlsx", lambda: hostile.lying_zip_sizes(64),
                        "contient plus de données que la taille annoncée", None),
    "honest_zip_bomb": ("bombe.xlsx", lambda: hostile.honest_zip_bomb(110), "anormalement volumineux", None),
    "encrypted_entry": ("chiffre.xlsx", hostile.encrypted_entry, "chiffré", None),
    "compression_99": ("methode.xlsx", hostile.unknown_compression, "méthode de compression non prise en charge",
                       None),
    "csv_million_columns": ("colonnes.csv", hostile.wide_csv, "1 000 000 colonnes", None),
    "sheet_million_columns": ("colonnes.xlsx", hostile.wide_sheet, "maximum de 1 000 colonnes", "Feuil1"),
    "csv_field_200_kib": ("champ.csv", hostile.long_csv_field, "un champ dépasse 128 Kio", None),
    "3000_sheets": ("feuilles.xlsx", hostile.many_sheets, "3 004 fichiers internes", None),
    "3000_sheets_one_part": ("partagees.xlsx", hostile.sheets_sharing_a_part, "3 000 feuilles", None),
    "cells_in_opposite_corners": ("coins.xlsx", hostile.dense_corners, "maximum de 1 000 colonnes", "Feuil1"),
    "shared_strings_count": ("chaines.xlsx", hostile.shared_strings_count, "refusé par sécurité", None),
}


@pytest.fixture(scope="module")
def corpus():
    return {name: (file_name, build()) for name, (file_name, build, _, _) in CORPUS.items()}


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    path = samples.write_rows_xlsx(folder / "avant.xlsx", {"Feuil1": GOOD_ROWS})
    with Database(folder / "seeded.duckdb") as database:
        import_file(database, path)
        database.checkpoint()
    return folder / "seeded.duckdb"


@pytest.fixture
def seeded_db(seeded_template, tmp_path):
    path = tmp_path / "seeded.duckdb"
    path.write_bytes(seeded_template.read_bytes())
    with Database(path) as database:
        yield database


def _analyse(database, content: bytes, name: str):
    return ingest.analyse(content, name, db=database, scope=national_scope(database), today=TODAY)


@pytest.mark.parametrize("name", list(CORPUS))
def test_each_hostile_file_is_refused_in_french_and_nothing_is_written(corpus, seeded_db, name):
    file_name, content = corpus[name]
    _, _, words, sheet = CORPUS[name]
    before = table_contents(seeded_db)
    plan = _analyse(seeded_db, content, file_name)
    assert not plan.ok
    [error] = plan.errors
    assert words in error.message.replace("\u202f", " "), error.message  # (numbers: narrow no-break spaces)
    assert error.sheet == sheet
    assert not any(leak in error.message for leak in ("Traceback", "Error", str(ROOT), "site-packages"))
    with pytest.raises(ingest.IngestError):
        ingest.commit(plan, db=seeded_db, scope=national_scope(seeded_db), uploaded_by="tests")
    assert table_contents(seeded_db) == before


def test_a_reader_crash_ends_the_worker_not_the_server(corpus, seeded_db, tmp_path):
    """calamine aborts its process on the shared-strings count: the worker dies, the import is refused,
    the database is unchanged, and this process (the server) goes on importing with a fresh worker."""
    readers.warm()
    before = table_contents(seeded_db)
    plan = _analyse(seeded_db, *reversed(corpus["shared_strings_count"]))
    assert [e.message.split(" :")[0] for e in plan.errors] == ["Le fichier a été refusé par sécurité"]
    assert table_contents(seeded_db) == before
    good = samples.write_rows_xlsx(tmp_path / "apres.xlsx", {"Feuil1": [LONG, ["87", "COURRIER_DELAI", "2025-02", 7]]})
    import_file(seeded_db, good)
    assert ("87", "COURRIER_DELAI", "2025-02-01", "month", 7.0) in indicator_rows(seeded_db)


def test_a_worker_over_its_memory_budget_is_refused_and_replaced(tmp_path, monkeypatch):
    rows = [LONG] + [["87", "COURRIER_DELAI", f"{2000 + i // 12}-{i % 12 + 1:02d}", i] for i in range(60_000)]
    content = samples.write_rows_xlsx(tmp_path / "gros.xlsx", {"Feuil1": rows}).read_bytes()
    monkeypatch.setenv("QUALEPREF_IMPORT_MEMORY_MB", "8")
    with pytest.raises(RefusedFile) as refused:
        readers.read(content, "gros.xlsx", max_bytes=20_000_000)
    assert refused.value.code == "worker_died"
    monkeypatch.delenv("QUALEPREF_IMPORT_MEMORY_MB")
    assert readers.read(content, "gros.xlsx", max_bytes=20_000_000)[0].frame.shape == (60_000, 4)


def test_the_worker_runs_under_an_address_space_limit_and_goes_first_when_memory_runs_out():
    readers.warm()
    [pid] = worker.idle_pids()[:1]
    deadline = time.monotonic() + 30
    limit = None
    while time.monotonic() < deadline:  # the limit is set once the worker's imports are done
        with open(f"/proc/{pid}/limits") as proc:
            limits = proc.read()
        line = next(line for line in limits.splitlines() if line.startswith("Max address space"))
        if line.split()[3] != "unlimited":
            limit = int(line.split()[3])
            break
        time.sleep(0.1)
    assert limit is not None and limit < 4 * 1024**3
    assert pid != os.getpid()
    with open(f"/proc/{pid}/oom_score_adj") as score:  # the kernel's first choice when memory runs out
        assert score.read().strip() == "1000"


def test_a_worker_that_takes_too_long_is_stopped(tmp_path):
    rows = [LONG] + [["87", "COURRIER_DELAI", f"{2000 + i // 12}-{i % 12 + 1:02d}", i] for i in range(40_000)]
    content = samples.write_rows_xlsx(tmp_path / "lent.xlsx", {"Feuil1": rows}).read_bytes()
    readers.warm(wait=60)
    with pytest.raises(RefusedFile, match="a dépassé 0 secondes") as refused:  # (0,01 s, rounded)
        readers.read(content, "lent.xlsx", max_bytes=20_000_000, timeout=0.01)
    assert refused.value.code == "timeout"
    assert readers.read(content, "lent.xlsx", max_bytes=20_000_000)[0].frame.shape == (40_000, 4)


def test_parallel_imports_share_the_workers(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    content = samples.write_rows_xlsx(tmp_path / "x.xlsx", {"Feuil1": GOOD_ROWS}).read_bytes()
    with ThreadPoolExecutor(6) as pool:
        shapes = list(pool.map(lambda _: readers.read(content, "x.xlsx", max_bytes=10**7)[0].frame.shape, range(12)))
    assert shapes == [(2, 4)] * 12
    assert 1 <= len(worker.idle_pids()) <= worker.MAX_WORKERS


# -- the archive, part by part ------------------------------------------------------------

def test_a_part_longer_than_declared_is_refused_after_reading_one_byte_more():
    parts = archive.open_parts(hostile.zipped(hostile.workbook_parts({"F": hostile.sheet_xml("")})), Limits())
    assert "xl/workbook.xml" in parts
    with pytest.raises(RefusedFile) as refused:
        archive.open_parts(hostile.lying_zip_sizes(inflated_mb=1, declared=500), Limits())
    assert refused.value.code == "longer_than_declared"


def test_the_real_total_is_bounded_when_every_part_tells_the_truth():
    sheet = hostile.sheet_xml(" " * 3_000_000)
    content = hostile.zipped(hostile.workbook_parts({"A": sheet, "B": sheet}))
    assert len(content) < 100_000
    with pytest.raises(RefusedFile, match="anormalement volumineux"):
        archive.open_parts(content, Limits(max_uncompressed_bytes=5_000_000))
    assert len(archive.open_parts(content, Limits(max_uncompressed_bytes=7_000_000))) == 6


def test_parts_without_cells_are_not_given_to_the_reader(tmp_path):
    """Images, charts and printer settings are skipped; the values read the same."""
    import xlsxwriter

    path = tmp_path / "illustre.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Feuil1")
    for i, row in enumerate(GOOD_ROWS):
        sheet.write_row(i, 0, row)
    chart = book.add_chart({"type": "column"})
    chart.add_series({"values": "=Feuil1!$D$2:$D$3"})
    sheet.insert_chart("F2", chart)
    png = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
           b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")
    sheet.insert_image("F20", "logo.png", {"image_data": io.BytesIO(png)})
    book.close()
    names = zipfile.ZipFile(path).namelist()
    assert any(n.startswith("xl/media/") for n in names) and any(n.startswith("xl/charts/") for n in names)
    parts = archive.open_parts(path.read_bytes(), Limits())
    assert not any(n.startswith(("xl/media/", "xl/charts/", "xl/drawings/")) for n in parts)
    [read] = readers.read(path.read_bytes(), "illustre.xlsx", max_bytes=10**7)
    assert read.header == LONG and read.frame.iat[1, 3] == 8


def test_the_worker_answers_with_json_and_arrow_only():
    """What the server reads back cannot run code in it (no pickle)."""
    header, frames = worker.parse((b"Site;Valeur\n87;4,5\n"), "f.csv")
    assert isinstance(header, dict) and len(frames) == 3 and len(frames[0]) > 0
    assert all(bytes(frame[:1]) != b"\x80" for frame in frames)  # a pickle starts with 0x80
    assert json.dumps(header)


def test_the_command_line_refuses_the_crash_file_and_prints_only_its_report(corpus, seeded_template, tmp_path):
    path = tmp_path / "chaines.xlsx"
    path.write_bytes(corpus["shared_strings_count"][1])
    db_path = tmp_path / "cli.duckdb"
    db_path.write_bytes(seeded_template.read_bytes())
    done = subprocess.run([sys.executable, "-m", "qualepref", "import", str(path), "--json"], cwd=ROOT,
                          env={**os.environ, "QUALEPREF_DB": str(db_path)}, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert not report["ok"] and "refusé par sécurité" in report["errors"][0]["message"]


def _large_sheet_claiming_a1_d(extra_cells: str) -> bytes:
    """Over 1 MB of ordinary cells in A–D under a `<dimension>` that claims only A–D, then `extra_cells`:
    the scans run beside the reader (what a large genuine workbook gets)."""
    rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>{r}</v></c>' for c in "ABCD") + "</row>"
                   for r in range(1, 20_001))
    xml = hostile.sheet_xml(rows + extra_cells, dimension="A1:D20000")
    assert len(xml) > 1_000_000
    return hostile.zipped(hostile.workbook_parts({"Feuil1": xml}))


def test_a_large_sheet_whose_dimension_lies_is_refused_while_the_reader_works(seeded_db):
    content = _large_sheet_claiming_a1_d('<row r="20001"><c r="ALZ20001"><v>1</v></c></row>')
    before = table_contents(seeded_db)
    plan = _analyse(seeded_db, content, "menteuse.xlsx")
    [error] = plan.errors
    assert "maximum de 1" in error.message and error.sheet == "Feuil1"
    assert table_contents(seeded_db) == before
    assert readers.read(hostile.zipped(hostile.workbook_parts({"F": hostile.sheet_xml(
        '<row r="1"><c r="A1"><v>1</v></c></row>')})), "ok.xlsx", max_bytes=10**7)[0].n_rows == 1


def test_when_the_reader_ends_the_worker_first_the_refusal_still_says_why():
    """Two cells in opposite corners behind a truthful-looking dimension: the reader may abort the worker
    (it asks for 550 GB) before the scan beside it answers; a fresh worker then runs the scans alone."""
    content = _large_sheet_claiming_a1_d('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    for _ in range(3):  # whichever wins the race, the same answer
        with pytest.raises(RefusedFile) as refused:
            readers.read(content, "coins.xlsx", max_bytes=10**7)
        assert refused.value.code == "too_many_columns" and refused.value.sheet == "Feuil1"
