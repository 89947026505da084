"""Files → sheets of text cells (pure: bytes in, `Sheet`s out).

Every cell is read as text (fastexcel converts numbers and dates in Rust,
which is fast), so the later steps parse one representation. Cells the
workbook formats as percentages are the one thing text loses (0,82 shown as
82 %): `xlsxmeta` finds them in the sheet XML, only when the workbook has a
percentage style at all.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

import pandas as pd

from qualepref import fmt
from qualepref.ingest import xlsxmeta

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
NOT_XLSX = "Le fichier n'est pas un classeur Excel valide (.xlsx) : il est peut-être endommagé."


class RefusedFile(ValueError):
    """The file cannot be read at all (message in French, for the user)."""


@dataclass
class Sheet:
    """A rectangular block of text cells (NaN = empty) and where it sits.

    Cell `frame.iat[i, j]` is shown by the spreadsheet at row
    `first_row + i` and column `columns[j]` (0 = A). For CSV, rows are line
    numbers (header = 1).
    """

    name: str
    frame: pd.DataFrame
    first_row: int = 1
    # The first row's text when fastexcel read it as column names (typed columns below).
    header: list[str | None] | None = None
    columns: list[int] = field(default_factory=list)
    percent_cells: set[tuple[int, int]] | None = None  # (row, column index) formatted as %
    is_csv: bool = False
    issues: list = field(default_factory=list)  # (row, message) found while reading (CSV field counts)
    hidden: bool = False
    line_numbers: list[int] | None = None  # CSV: the line of each frame row (blank lines are skipped)

    # Rows are addressed *logically*: row 0 is `header` when there is one, then the frame's rows.
    @property
    def offset(self) -> int:
        return 0 if self.header is None else 1

    @property
    def n_rows(self) -> int:
        return len(self.frame) + self.offset

    def cell(self, i: int, j: int):
        """Text of a cell (None if empty), by logical row."""
        value = self.header[j] if self.header is not None and i == 0 else self.frame.iat[i - self.offset, j]
        if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        return text or None

    def body(self, header: int) -> pd.DataFrame:
        """The frame's rows below logical row `header`."""
        return self.frame.iloc[header + 1 - self.offset:]

    def row_numbers(self):
        """Row number as shown to the user, for every logical row."""
        import numpy as np

        if self.line_numbers is not None:
            return np.asarray(self.line_numbers, dtype="int64")
        return np.arange(self.first_row, self.first_row + self.n_rows, dtype="int64")

    def row_number(self, i: int) -> int:
        return int(self.line_numbers[i]) if self.line_numbers is not None else self.first_row + i


def read(content: bytes, file_name: str, *, max_bytes: int, max_uncompressed: int) -> list[Sheet]:
    """Sheets of an xlsx or csv file; `RefusedFile` for anything else."""
    if not content:
        raise RefusedFile("Le fichier est vide.")
    if len(content) > max_bytes:
        raise RefusedFile(
            f"Le fichier fait {fmt.number(len(content) / 1_048_576, 1)}\u00a0Mo, au-delà du maximum autorisé "
            f"({fmt.file_size(max_bytes)})."
        )
    lower = file_name.lower()
    if content.startswith(OLE2_MAGIC):
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in content:
            raise RefusedFile(
                "Le classeur est protégé par un mot de passe : enregistrez-le sans mot de passe "
                "(Fichier › Informations › Protéger le classeur) puis déposez-le à nouveau."
            )
        raise RefusedFile(
            "Ancien format Excel (.xls) non accepté : ouvrez le fichier dans Excel ou LibreOffice "
            "et enregistrez-le au format .xlsx."
        )
    if content.startswith(ZIP_MAGIC):
        return _read_xlsx(content, max_uncompressed=max_uncompressed)
    if lower.endswith((".xlsx", ".xlsm", ".xls", ".ods")):
        raise RefusedFile(NOT_XLSX)
    return [_read_csv(content, file_name)]


def _read_xlsx(content: bytes, *, max_uncompressed: int) -> list[Sheet]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise RefusedFile(NOT_XLSX) from exc
    with archive:
        names = set(archive.namelist())
        if "mimetype" in names and archive.read("mimetype").startswith(ODS_MIMETYPE):
            raise RefusedFile(
                "Format OpenDocument (.ods) non accepté : enregistrez le classeur au format .xlsx."
            )
        # A zip bomb is refused before anything is decompressed: the sizes
        # declared by the archive are bounded, and reading later stops at them.
        total = sum(info.file_size for info in archive.infolist())
        if total > max_uncompressed:
            raise RefusedFile(
                "Le classeur est anormalement volumineux une fois décompressé "
                f"({total / 1_048_576:.0f} Mo) : il a été refusé par sécurité."
            )
        if "xl/workbook.xml" not in names:
            raise RefusedFile(NOT_XLSX)
        meta = xlsxmeta.WorkbookMeta(archive)
    try:
        import fastexcel

        reader = fastexcel.read_excel(content)
    except Exception as exc:  # fastexcel raises its own hierarchy for corrupt files
        raise RefusedFile("Le classeur Excel n'a pas pu être lu : il est peut-être endommagé.") from exc
    sheets = []
    for index, name in enumerate(reader.sheet_names):
        try:
            loaded, header = _load_typed(reader, index)
            table = loaded.to_arrow()
            columns = [info.absolute_index for info in loaded.selected_columns]
        except Exception as exc:
            raise RefusedFile(f"La feuille « {name} » n'a pas pu être lue : {exc}") from exc
        frame = table.to_pandas()
        frame.columns = range(frame.shape[1])
        first_row = meta.first_value_row(name) if len(frame) or header else 1
        percent = meta.percent_cells(name) if meta.has_percent_styles else None
        hidden = str(getattr(loaded, "visible", "visible")) != "visible"
        sheets.append(Sheet(name=name, frame=frame, first_row=first_row, columns=columns, percent_cells=percent,
                            hidden=hidden, header=header))
    return sheets


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


def decode(content: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _read_csv(content: bytes, file_name: str) -> Sheet:
    text = decode(content)
    if not text.strip():
        raise RefusedFile("Le fichier est vide.")
    if "\x00" in text[:4096]:
        raise RefusedFile("Le fichier n'est ni un classeur .xlsx ni un fichier .csv lisible.")
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    if first_line.count(";") == 0 and first_line.count(",") == 0 and "\t" in first_line:
        delimiter = "\t"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, line_numbers, issues = [], [], []
    width = None
    for raw in reader:
        line = reader.line_num
        row = [cell.strip() or None for cell in raw]
        if not any(row):
            continue
        if width is None:
            width = len(row)
        elif len(row) != width:
            issues.append((line, f"La ligne compte {len(row)} champs au lieu de {width} "
                                 f"(séparateur « {delimiter} ») : un séparateur ou un guillemet en trop ?"))
            continue
        rows.append(row)
        line_numbers.append(line)
    frame = pd.DataFrame(rows, dtype="object")
    name = file_name.rsplit("/", 1)[-1]
    return Sheet(name=name, frame=frame, first_row=1, columns=list(range(frame.shape[1])), is_csv=True,
                 issues=issues, line_numbers=line_numbers)
