"""File bytes → raw sheets: Arrow tables of cells and where they sit (runs in the parsing worker).

Every bound of `limits` is checked before the server gets anything: the
archive's real sizes (`archive`) and the number of sheets before the reader
(fastexcel) gets the bytes; each sheet's extent from its XML
(`xlsxmeta.scan_sheet`) while the reader works, since the reader stores a
sheet densely (two cells at A1 and ZZ100000 cost it 2 GB: the worker's
memory limit ends it, and the scan says why); a CSV's columns and cells while
its lines are split. Nothing here
imports pandas: the worker stays small and starts fast.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from dataclasses import dataclass, field

import pyarrow as pa

from qualepref.ingest import archive, xlsxmeta
from qualepref.ingest.limits import Limits, RefusedFile

ZIP_MAGIC = b"PK\x03\x04"
# Sheets' XML from which the scans run beside the reader rather than before it (they take ~2 ms per MB).
OVERLAP_FROM_BYTES = 1_000_000


@dataclass
class RawSheet:
    """One sheet as the reader gives it: see `readers.Sheet` for the meaning of each field."""

    name: str
    table: pa.Table
    first_row: int = 1
    header: list[str | None] | None = None
    columns: list[int] = field(default_factory=list)
    percent_cells: frozenset[tuple[int, int]] | None = None
    is_csv: bool = False
    issues: list[tuple[int, str]] = field(default_factory=list)
    hidden: bool = False
    line_numbers: list[int] | None = None


def parse(content: bytes, file_name: str, limits: Limits, *, scan_only: bool = False,
          on_checked=None) -> list[RawSheet]:
    """The sheets of an xlsx (zip) or CSV file; `RefusedFile` for anything beyond `limits`.

    `scan_only`: the checks alone, nothing read (an empty list when the file passes them).
    `on_checked()` is called once an xlsx passed every check (its reader may still be working).
    """
    if content.startswith(ZIP_MAGIC):
        return _read_xlsx(content, limits, scan_only=scan_only, on_checked=on_checked)
    return [] if scan_only else [_read_csv(content, file_name, limits)]


# -- xlsx ------------------------------------------------------------------------

def _read_xlsx(content: bytes, limits: Limits, *, scan_only: bool = False, on_checked=None) -> list[RawSheet]:
    """The sheets, read by fastexcel in a thread while this one checks each sheet's extent.

    The reader gets only the archive's bounded bytes; what it cannot be trusted
    with is a sheet's extent (it stores sheets densely), checked by the scans.
    Sheets are scanned before the reader starts, except large ones that claim
    a size within the caps (`_overlap`): their scans (tens of milliseconds) run
    while it works, so they cost a real import no time. A refusal found then
    answers at once and ends this process, whatever the reader is doing
    (`reading_in_progress`); if the reader ends the process first (the memory
    limit), the server asks a fresh worker for the scans alone (`scan_only`)
    to say why.
    """
    parts = archive.open_parts(content, limits)
    meta = xlsxmeta.WorkbookMeta(parts)
    if meta.sheet_count > limits.max_sheets:
        raise RefusedFile("too_many_sheets", count=meta.sheet_count, limit=limits.max_sheets)
    if scan_only:
        _scan_sheets(parts, meta, limits)
        return []
    stored = archive.stored_zip(parts)
    checked = on_checked or (lambda: None)
    if not _overlap(parts, meta, limits):  # the reader starts only once the scans passed
        scans = _scan_sheets(parts, meta, limits)
        checked()
        reading = _Reading(stored)
    else:
        reading = _Reading(stored)
        scans = _scan_sheets(parts, meta, limits)
        checked()
    sheets = []
    for name, table, header, columns, hidden in reading.result():
        scan = scans.get(name)
        if scan is None:  # a sheet the workbook's XML did not let us bound
            raise RefusedFile("sheet_unreadable", sheet=name)
        first_row = scan.first_row if table.num_rows or header else 1
        sheets.append(RawSheet(name=name, table=table, first_row=first_row, header=header, columns=columns,
                               percent_cells=scan.percent_cells, hidden=hidden))
    return sheets


def _overlap(parts: dict[str, bytes], meta: xlsxmeta.WorkbookMeta, limits: Limits) -> bool:
    """Whether the scans may run beside the reader: large sheets (where they cost tens of
    milliseconds) whose `<dimension>` claims a size within the caps, as every spreadsheet program
    writes it. Anything else is scanned first (a lying claim is found by the scans all the same)."""
    sheets = [parts[part] for part in meta.sheet_parts.values() if part in parts]
    if sum(map(len, sheets)) < OVERLAP_FROM_BYTES:
        return False
    claims = [xlsxmeta.claimed_box(xml) for xml in sheets]
    return all(claims) and all(c.columns <= limits.max_columns for c in claims) and \
        sum(c.cells for c in claims) <= limits.max_cells


class _Reading(threading.Thread):
    """fastexcel reading every sheet of a stored zip (Rust, mostly without the GIL)."""

    def __init__(self, stored: bytes):
        super().__init__(name="qualepref-reader", daemon=True)
        self._stored = stored
        self._outcome: tuple[bool, object] | None = None
        self.start()

    def run(self):
        try:
            self._outcome = (True, _read_all(self._stored))
        except BaseException as exc:  # pyo3 turns a Rust panic into a BaseException
            self._outcome = (False, exc)

    def result(self) -> list[tuple]:
        self.join()
        done, value = self._outcome
        if not done:
            raise value if isinstance(value, RefusedFile) else RefusedFile("workbook_unreadable")
        return value


def reading_in_progress() -> bool:
    """A reader thread still runs (after a refusal): the process must end rather than serve again."""
    return any(thread.name == "qualepref-reader" and thread.is_alive() for thread in threading.enumerate())


def _read_all(stored: bytes) -> list[tuple]:
    import fastexcel

    try:
        reader = fastexcel.read_excel(stored)
        names = reader.sheet_names
    except Exception as exc:  # fastexcel raises its own hierarchy for corrupt files
        raise RefusedFile("workbook_unreadable") from exc
    loaded_sheets = []
    for index, name in enumerate(names):
        try:
            loaded, header = _load_typed(reader, index)
            table = loaded.to_arrow()
            columns = [info.absolute_index for info in loaded.selected_columns]
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            raise RefusedFile("sheet_unreadable", sheet=name) from exc
        hidden = str(getattr(loaded, "visible", "visible")) != "visible"
        loaded_sheets.append((name, table, header, columns, hidden))
    return loaded_sheets


def _scan_sheets(parts: dict[str, bytes], meta: xlsxmeta.WorkbookMeta,
                 limits: Limits) -> dict[str, xlsxmeta.SheetScan]:
    """Each sheet's scan, after its columns and cells are checked against the caps."""
    scans = {}
    cells_left = limits.max_cells
    for name, part in meta.sheet_parts.items():
        xml = parts.get(part)
        if xml is None:
            continue
        scan = xlsxmeta.scan_sheet(xml, meta.percent_styles, max_columns=limits.max_columns, max_cells=cells_left)
        box = scan.bound
        if box is not None and box.columns > limits.max_columns:
            # (The exact scan stops at the first column over the cap: no count to give.)
            raise RefusedFile("too_many_columns", sheet=name, limit=limits.max_columns)
        if box is not None and box.cells > cells_left:
            raise RefusedFile("too_many_cells", sheet=name, limit=limits.max_cells)
        cells_left -= box.cells if box is not None else 0
        scans[name] = scan
    return scans


_UNNAMED = re.compile(r"^__UNNAMED__\d+$")
_DEDUPED = re.compile(r"^(.*)_(\d+)$")


def _load_typed(reader, index: int):
    """The sheet with its first row as column names, so a column of numbers stays numbers.

    fastexcel renames empty and repeated names (`__UNNAMED__3`, `Valeur_1`):
    the header text is restored from those names.
    """
    try:
        loaded = reader.load_sheet(index, header_row=0)
    except Exception:  # an empty sheet has no first row
        return reader.load_sheet(index, header_row=None, dtypes="string"), None
    names = [info.name for info in loaded.selected_columns]
    if not names or any(_UNNAMED.match(name) for name in names):
        # An empty first-row cell, or one holding a date or number (which fastexcel
        # does not use as a name): a title block or month headers; read it all as text.
        return reader.load_sheet(index, header_row=None, dtypes="string"), None
    header: list[str | None] = []
    for name in names:
        match = _DEDUPED.match(name)
        header.append(match.group(1) if match and match.group(1) in header else name)
    return loaded, header


# -- csv -------------------------------------------------------------------------

def decode(content: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _read_csv(content: bytes, file_name: str, limits: Limits) -> RawSheet:
    text = decode(content)
    if not text.strip():
        raise RefusedFile("empty")
    if "\x00" in text[:4096]:
        raise RefusedFile("not_text")
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    if first_line.count(";") == 0 and first_line.count(",") == 0 and "\t" in first_line:
        delimiter = "\t"
    # The csv module's limit is per process (characters, not bytes): this process only parses uploads.
    csv.field_size_limit(limits.max_csv_field_bytes)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, line_numbers, issues = [], [], []
    width = None
    cells = 0
    try:
        for raw in reader:
            line = reader.line_num
            if len(raw) > limits.max_columns:  # before any work on the row's cells
                raise RefusedFile("too_many_columns", row=line, count=len(raw), limit=limits.max_columns)
            row = [cell.strip() or None for cell in raw]
            if not any(row):
                continue
            if width is None:
                width = len(row)
            elif len(row) != width:
                issues.append((line, f"La ligne compte {len(row)} champs au lieu de {width} "
                                     f"(séparateur « {delimiter} ») : un séparateur ou un guillemet en trop ?"))
                continue
            cells += width
            if cells > limits.max_cells:
                raise RefusedFile("too_many_cells", row=line, limit=limits.max_cells)
            rows.append(row)
            line_numbers.append(line)
    except csv.Error as exc:
        line = reader.line_num
        if "field larger than field limit" in str(exc):
            raise RefusedFile("csv_field", row=line, line=line, limit=limits.max_csv_field_bytes) from exc
        raise RefusedFile("csv_unreadable", row=line, line=line) from exc
    columns = list(zip(*rows, strict=True)) if rows else []
    table = pa.table({str(j): pa.array(column, type=pa.string()) for j, column in enumerate(columns)})
    name = file_name.rsplit("/", 1)[-1]
    return RawSheet(name=name, table=table, first_row=1, columns=list(range(len(columns))), is_csv=True,
                    issues=issues, line_numbers=line_numbers)
