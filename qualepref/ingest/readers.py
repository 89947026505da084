"""Files → sheets of cells (bytes in, `Sheet`s out), read in the parsing worker.

Every cell is read as fastexcel types it (numbers and dates converted in
Rust, which is fast), so the later steps parse one representation. Cells the
workbook formats as percentages are the one thing that loses (0,82 shown as
82 %): `xlsxmeta` finds them in the sheet XML.

The server only recognises what kind of file it got (xlsx, csv, or a format
it refuses); the file is opened, bounded and read by a separate process
(`worker`, which runs `rawsheets.parse`), and comes back as Arrow tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from qualepref.ingest import worker
from qualepref.ingest.limits import DEFAULT_LIMITS, Limits, RefusedFile

__all__ = ["RefusedFile", "Sheet", "read", "warm"]

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


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


def read(content: bytes, file_name: str, *, max_bytes: int, limits: Limits = DEFAULT_LIMITS,
         timeout: float = worker.PARSE_TIMEOUT_S) -> list[Sheet]:
    """Sheets of an xlsx or csv file; `RefusedFile` for anything else or anything beyond `limits`."""
    if not content:
        raise RefusedFile("empty")
    if len(content) > max_bytes:
        raise RefusedFile("too_large", size=len(content), limit=max_bytes)
    if content.startswith(OLE2_MAGIC):
        raise RefusedFile("xls_encrypted" if ENCRYPTED_PACKAGE in content else "xls")
    if not content.startswith(ZIP_MAGIC) and file_name.lower().endswith((".xlsx", ".xlsm", ".xls", ".ods")):
        raise RefusedFile("not_xlsx")
    header, frames = worker.parse(content, file_name, limits, timeout=timeout)
    return [_sheet(meta, *frames[3 * i:3 * i + 3]) for i, meta in enumerate(header["sheets"])]


def warm(*, wait: float | None = None) -> None:
    """Start the parsing worker ahead of the first upload (with `wait`: and wait until it is ready)."""
    worker.warm(wait=wait)


def _sheet(meta: dict, table_bytes, percent_bytes, line_bytes) -> Sheet:
    """One sheet from the worker's answer (its Arrow data validated before use)."""
    table = pa.ipc.open_stream(pa.py_buffer(table_bytes)).read_all()
    table.validate(full=True)
    if meta["is_csv"]:
        # Text cells as Python strings (None when empty), as the CSV steps expect.
        frame = pd.DataFrame({j: table.column(j).to_numpy(zero_copy_only=False) for j in range(table.num_columns)},
                             dtype="object")
    else:
        frame = table.to_pandas()
    frame.columns = range(frame.shape[1])
    percent = None
    if meta["has_percent"]:
        pairs = np.frombuffer(percent_bytes, dtype="<i8").reshape(-1, 2)
        percent = set(zip(pairs[:, 0].tolist(), pairs[:, 1].tolist(), strict=True))
    lines = np.frombuffer(line_bytes, dtype="<i8").tolist() if meta["has_lines"] else None
    header = meta["header"]
    return Sheet(name=str(meta["name"]), frame=frame, first_row=int(meta["first_row"]),
                 header=None if header is None else [None if h is None else str(h) for h in header],
                 columns=[int(c) for c in meta["columns"]], percent_cells=percent, is_csv=bool(meta["is_csv"]),
                 issues=[(int(line), str(message)) for line, message in meta["issues"]],
                 hidden=bool(meta["hidden"]), line_numbers=lines)
