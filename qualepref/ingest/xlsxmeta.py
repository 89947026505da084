"""What fastexcel does not tell: which part holds each sheet, where its cells sit, which are percentages.

Workbook, relationships and styles are small parts: a real XML parser reads
them (defusedxml, with DTDs refused: no entity, nothing fetched). Sheets can
hold millions of cells, which a parser calling Python for every element needs
seconds for (expat: 0.9 s for the 153,000 cells of the national file), so a
sheet is scanned by regular expressions when its XML has the shape they
understand, checked first (`_fast_scan`): one prefix for the SpreadsheetML
namespace, never rebound below the root; no comment, CDATA section or
processing instruction; every cell tag `<c ` with an `r` reference and no
entity or character reference inside the tag. Anything else goes to expat
(`scan_sheet_exact`). Tests run both on the same sheets (prefixed tags,
attributes in any order, quotes and spaces, character references).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from xml.parsers import expat

from defusedxml import ElementTree as SafeET

from qualepref.ingest.limits import RefusedFile
from qualepref.ingest.text import column_letter

MAIN_NAMESPACES = frozenset({
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # Strict OOXML
})
_BUILTIN_PERCENT_FORMATS = frozenset({9, 10})
_QUOTED_OR_ESCAPED = re.compile(r'"[^"]*"|\\.')
_CELL_REF = re.compile(r"^([A-Z]+)([0-9]+)$")
WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
STYLES = "xl/styles.xml"


def letters_to_index(letters: str) -> int:
    """`A` → 0, `Z` → 25, `AA` → 26."""
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def _xml(data: bytes, part: str):
    try:
        return SafeET.fromstring(data, forbid_dtd=True)
    except Exception as exc:  # ParseError, DTDForbidden, EntitiesForbidden…: not a workbook we read
        raise RefusedFile("damaged_part", part=part) from exc


class WorkbookMeta:
    """Sheet parts and percentage styles, from the workbook's small XML parts."""

    def __init__(self, parts: Mapping[str, bytes]):
        if WORKBOOK not in parts:
            raise RefusedFile("not_xlsx")
        targets: dict[str, str] = {}
        if WORKBOOK_RELS in parts:
            for rel in _xml(parts[WORKBOOK_RELS], WORKBOOK_RELS).iterfind("{*}Relationship"):
                if rel.get("TargetMode") != "External" and rel.get("Id") and rel.get("Target"):
                    targets[rel.get("Id")] = rel.get("Target")
        # Sheet name → part (`xl/worksheets/sheet1.xml`), in the workbook's order.
        self.sheet_parts: dict[str, str] = {}
        self.sheet_count = 0
        for sheet in _xml(parts[WORKBOOK], WORKBOOK).iterfind("{*}sheets/{*}sheet"):
            self.sheet_count += 1
            name = sheet.get("name")
            rid = next((value for key, value in sheet.attrib.items()
                        if key.endswith("}id") and "relationships" in key), None)
            target = targets.get(rid or "")
            if name is None or not target:
                continue
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            self.sheet_parts[name] = part
        self.percent_styles = percent_styles(parts[STYLES]) if STYLES in parts else frozenset()

    @property
    def has_percent_styles(self) -> bool:
        return bool(self.percent_styles)


def percent_styles(styles: bytes) -> frozenset[int]:
    """Indexes of the cell formats (`cellXfs`) that display numbers as percentages."""
    root = _xml(styles, STYLES)
    formats = set(_BUILTIN_PERCENT_FORMATS)
    for numfmt in root.iterfind("{*}numFmts/{*}numFmt"):
        # A "%" outside quoted literals makes Excel multiply by 100 on display.
        if "%" in _QUOTED_OR_ESCAPED.sub("", numfmt.get("formatCode", "")):
            try:
                formats.add(int(numfmt.get("numFmtId", "")))
            except ValueError:
                continue
    cell_formats = root.find("{*}cellXfs")
    if cell_formats is None:
        return frozenset()
    found = set()
    for index, xf in enumerate(cell_formats.iterfind("{*}xf")):
        try:
            if int(xf.get("numFmtId", "0")) in formats:
                found.add(index)
        except ValueError:
            continue
    return frozenset(found)


# -- sheet scans ---------------------------------------------------------------

@dataclass(frozen=True)
class Box:
    """Rows (1-based) and columns (0-based) spanned by some cells."""

    min_row: int
    max_row: int
    min_col: int
    max_col: int

    @property
    def rows(self) -> int:
        return self.max_row - self.min_row + 1

    @property
    def columns(self) -> int:
        return self.max_col - self.min_col + 1

    @property
    def cells(self) -> int:
        """Cells of the rectangle (what the reader allocates: it stores a sheet densely)."""
        return self.rows * self.columns


@dataclass(frozen=True)
class SheetScan:
    """What a sheet's XML says, read before the reader builds anything."""

    first_row: int                 # row of the first cell holding a value (1 if none)
    cell_box: Box | None           # every cell tag, with or without a value
    value_box: Box | None          # cells holding a value (only the exact scan computes it)
    percent_cells: frozenset[tuple[int, int]] | None  # (row, column index) styled as %; None: no % style
    exact: bool

    @property
    def bound(self) -> Box | None:
        """What the reader will allocate at most: the exact scan's cells with a value, else every cell tag."""
        return self.value_box if self.exact else self.cell_box


def scan_sheet(xml: bytes, percent: frozenset[int], *, max_columns: int, max_cells: int) -> SheetScan:
    """The fast scan when the sheet's shape allows it and its bound is within the caps, else the exact one.

    The exact scan counts only the cells holding a value (what the reader
    keeps) and stops as soon as they exceed a cap; its `bound` is then over it.
    """
    fast = _fast_scan(xml, percent, max_columns)
    if fast is not None and (fast.bound is None or (fast.bound.columns <= max_columns
                                                    and fast.bound.cells <= max_cells)):
        return fast
    return scan_sheet_exact(xml, percent, max_cells=max_cells, max_columns=max_columns)


_DIMENSION = re.compile(rb'<(?:[A-Za-z_][\w.\-]*:)?dimension\s+ref="(?:[A-Z]+[0-9]+:)?([A-Z]+)([1-9][0-9]*)"')


def claimed_box(xml: bytes) -> Box | None:
    """The rectangle from A1 that the sheet's `<dimension>` claims (read in its first 64 KB; not verified)."""
    claim = _DIMENSION.search(xml, 0, 1 << 16)
    return None if claim is None else Box(1, int(claim.group(2)), 0, letters_to_index(claim.group(1).decode()))


# The fast path ---------------------------------------------------------------

_ROOT = re.compile(rb"<(?:([A-Za-z_][\w.\-]*):)?(worksheet|chartsheet|dialogsheet|macrosheet)\b([^>]*)>")
_NS_DECL = re.compile(rb"""\sxmlns(?::([A-Za-z_][\w.\-]*))?\s*=\s*(["'])(.*?)\2""", re.S)
_NS_DECL_NAME = re.compile(rb"xmlns(?::([A-Za-z_][\w.\-]*))?\s*=")
_Q = rb"""["']"""


def _fast_scan(xml: bytes, percent: frozenset[int], max_columns: int = 16_384) -> SheetScan | None:
    """Regular expressions over the bytes, or None when the sheet is not in a shape they read right.

    Comments, CDATA sections and processing instructions could hold text that
    looks like cells: they can only add cells to the box (a larger bound, never
    a smaller one), so they are looked for only where a false cell would change
    a result (the first row, the percentages).
    """
    root = _ROOT.search(xml, 0, 1 << 16)
    if root is None or root.group(2) != b"worksheet" or b"<!" in xml[:root.start()]:
        return None
    prefixes = [p for p, _, uri in _NS_DECL.findall(root.group(3))
                if uri.decode("utf-8", "replace") in MAIN_NAMESPACES]
    if len(prefixes) != 1 or (root.group(1) or b"") != prefixes[0]:
        return None  # the SpreadsheetML namespace bound to no prefix or to several
    prefix = prefixes[0] + b":" if prefixes[0] else b""
    body, start = xml, root.end()  # (no copy of a sheet of tens of megabytes: searches start after the root)
    at = body.find(b"xmlns", start)
    while at >= 0:  # rare: extension lists declare their own prefixes
        declared = _NS_DECL_NAME.match(body, at)
        if declared is not None and (declared.group(1) + b":" if declared.group(1) else b"") == prefix:
            return None  # the SpreadsheetML prefix declared again below the root
        at = body.find(b"xmlns", at + 5)
    tag = re.escape(b"<" + prefix + b"c")
    if b"&" in body and re.search(tag + rb" [^>]*&", body):
        return None  # an entity or character reference inside a cell tag
    box = _claimed_box(body, prefix, tag)
    if box is None:
        box = _box_of_references(body, tag, max_columns)
        if box is False:
            return None
    first_row = 1
    close = re.escape(b"</" + prefix + b"c>")
    first = re.search(tag + rb" [^>]*?(?<!/)>(?:(?!" + close + rb").)*?<" + re.escape(prefix) + rb"(?:v|is)[\s/>]",
                      body, re.S)
    if first is not None:
        if _MARKUP.search(body, start, first.end()):
            return None
        ref = _REF_IN_TAG.search(body, first.start(), body.index(b">", first.start()))
        first_row = int(ref.group(2)) if ref else 1
    cells = None
    if percent:
        if _MARKUP.search(body, start):
            return None
        styles = b"|".join(str(s).encode() for s in sorted(percent))
        marked = re.findall(tag + rb" (?=(?:[^>]*?\s)?s\s*=\s*" + _Q + rb"(?:" + styles + rb")" + _Q + rb")"
                            rb"(?:[^>]*?\s)?r\s*=\s*" + _Q + rb"([A-Z]+)([0-9]+)" + _Q, body)
        cells = frozenset((int(row), letters_to_index(col.decode())) for col, row in marked)
    return SheetScan(first_row=first_row, cell_box=box, value_box=None, percent_cells=cells, exact=False)


_MARKUP = re.compile(rb"<[!?]")
_REF_IN_TAG = re.compile(rb"\sr\s*=\s*" + _Q + rb"([A-Z]+)([0-9]+)" + _Q)


def _claimed_box(body: bytes, prefix: bytes, tag: bytes) -> Box | None:
    """The sheet's `<dimension>` (written by Excel, LibreOffice, openpyxl, xlsxwriter…), if every cell is inside.

    One search over the cells (`sheetData`) looks for a cell tag that is not
    `<c r="…"` with a reference inside the claimed rectangle: if there is one,
    the claim is not used. The box starts at A1 (an upper bound of what the
    reader allocates).
    """
    data_at = body.find(b"<" + prefix + b"sheetData")
    data_end = body.rfind(b"</" + prefix + b"sheetData>")
    if data_at < 0 or data_end < data_at:
        return None
    claim = re.compile(rb"<" + re.escape(prefix) + rb"dimension\s+ref=\"(?:[A-Z]+[0-9]+:)?([A-Z]+)([1-9][0-9]*)\"")
    claim = claim.search(body, 0, data_at)
    if claim is None:
        return None
    letters, digits = claim.group(1).decode(), claim.group(2).decode()
    inside = _upto(letters, "A", "Z", first="A") + _upto(digits, "0", "9", first="1")
    if re.compile(tag + rb"(?! r=\"" + inside + rb"\")").search(body, data_at, data_end):
        return None
    return Box(1, int(digits), 0, letters_to_index(letters))


def _upto(text: str, low: str, high: str, *, first: str) -> bytes:
    """A pattern for the column letters (`A`–`Z`) or row numbers (`0`–`9`, no leading zero) up to `text`.

    `AB` → one letter, or `A` then `A`–`B`; `38202` → up to four digits, or five up to 38202.
    """
    n = len(text)
    options = [f"[{first}-{high}][{low}-{high}]{{0,{n - 2}}}"] if n > 1 else []
    for k, ch in enumerate(text):
        lowest = first if k == 0 else low
        if ch > lowest:  # the same prefix, then a smaller character, then anything
            options.append(text[:k] + f"[{lowest}-{chr(ord(ch) - 1)}]" + f"[{low}-{high}]{{{n - k - 1}}}")
    options.append(text)
    return ("(?:" + "|".join(options) + ")").encode()


def _box_of_references(body: bytes, tag: bytes, max_columns: int) -> Box | bool | None:
    """The rectangle of every cell reference, or False if some cell tag has none the patterns read
    or lies beyond `max_columns`."""
    last = column_letter(max_columns - 1)
    if re.search(tag + rb' r="(?!' + _upto(last, "A", "Z", first="A") + rb"[1-9])[A-Z]", body):
        return False
    if re.search(tag + rb"(?=[\s/>])(?! r=\"[A-Z]+[1-9][0-9]*\")", body) is None:  # the usual `<c r="B7"`
        refs = re.findall(tag + rb' r="([A-Z]+)([1-9][0-9]*)"', body)
    else:
        tags = re.findall(tag + rb"[\s/>]", body)
        refs = re.findall(tag + rb"\s(?:[^>]*?\s)?r\s*=\s*" + _Q + rb"([A-Z]+)([1-9][0-9]*)" + _Q, body)
        if len(refs) != len(tags):
            return False  # a cell without a reference (its place is implied) or written otherwise
    if not refs:
        return None
    low_col, high_col = _lowest_highest({letters for letters, _ in refs})
    low_row, high_row = _lowest_highest({digits for _, digits in refs})
    return Box(int(low_row), int(high_row), letters_to_index(low_col.decode()), letters_to_index(high_col.decode()))


def _lowest_highest(texts: set[bytes]) -> tuple[bytes, bytes]:
    """Smallest and largest column letters (or row numbers without leading zero): shorter first, then A–Z."""
    shortest, longest = min(map(len, texts)), max(map(len, texts))
    return min(t for t in texts if len(t) == shortest), max(t for t in texts if len(t) == longest)


# The exact path ----------------------------------------------------------------

class _Stop(Exception):
    pass


def scan_sheet_exact(xml: bytes, percent: frozenset[int], *, max_cells: int | None = None,
                     max_columns: int | None = None) -> SheetScan:
    """Expat over the whole sheet: every legal spelling of the XML, cells placed like the reader does.

    A cell without `r` follows the previous one in its row, a row without `r`
    the previous row. With `max_cells` or `max_columns`, the scan stops as soon
    as the cells holding a value span more than that (the caller refuses the sheet).
    """
    state = {"row": 0, "col": -1, "cell": None, "valued": False}
    boxes = {"cells": None, "values": None}
    marked: set[tuple[int, int]] = set()
    first = [None]

    def grow(key, row, col):
        box = boxes[key]
        boxes[key] = (Box(row, row, col, col) if box is None else
                      Box(min(box.min_row, row), max(box.max_row, row), min(box.min_col, col), max(box.max_col, col)))
        return boxes[key]

    def start(name, attrs):
        uri, _, local = name.rpartition("\x01")
        if uri not in MAIN_NAMESPACES:
            return
        if local == "row":
            state["row"] = _int(attrs.get("r"), state["row"] + 1)
            state["col"] = -1
        elif local == "c":
            match = _CELL_REF.match(attrs.get("r", ""))
            if match:
                row, col = int(match.group(2)), letters_to_index(match.group(1))
            else:
                row, col = state["row"], state["col"] + 1
            state["col"], state["cell"], state["valued"] = col, (row, col), False
            grow("cells", row, col)
            if percent and _int(attrs.get("s"), -1) in percent:
                marked.add((row, col))
        elif local in ("v", "is") and state["cell"] is not None and not state["valued"]:
            state["valued"] = True
            row, col = state["cell"]
            if first[0] is None:
                first[0] = row
            box = grow("values", row, col)
            if (max_cells is not None and box.cells > max_cells) or (max_columns is not None
                                                                     and box.columns > max_columns):
                raise _Stop

    def end(name):
        uri, _, local = name.rpartition("\x01")
        if local == "c" and uri in MAIN_NAMESPACES:
            state["cell"] = None

    parser = expat.ParserCreate(namespace_separator="\x01")
    parser.StartElementHandler, parser.EndElementHandler = start, end
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    try:
        parser.Parse(xml, True)
    except _Stop:
        pass
    except (expat.ExpatError, _DTDRefused, ValueError) as exc:
        raise RefusedFile("workbook_unreadable") from exc
    return SheetScan(first_row=first[0] or 1, cell_box=boxes["cells"], value_box=boxes["values"],
                     percent_cells=frozenset(marked) if percent else None, exact=True)


class _DTDRefused(Exception):
    pass


def _refuse_dtd(*_args):
    raise _DTDRefused


def _int(text, default: int) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        return default
