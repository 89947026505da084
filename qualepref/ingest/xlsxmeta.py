"""What fastexcel does not tell: where a sheet starts and which cells are percentages.

Read straight from the workbook's XML parts (styles, workbook, sheet),
with regular expressions over bytes: fast, and nothing is evaluated.
"""

from __future__ import annotations

import re
import zipfile

_BUILTIN_PERCENT_FORMATS = {9, 10}
_NUMFMT = re.compile(rb'<numFmt\b[^>]*?numFmtId="(\d+)"[^>]*?formatCode="([^"]*)"')
_CELLXFS = re.compile(rb"<cellXfs\b[^>]*>(.*?)</cellXfs>", re.S)
_XF = re.compile(rb"<xf\b([^>]*)")
_NUMFMT_ID = re.compile(rb'numFmtId="(\d+)"')
_SHEET = re.compile(rb'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_SHEET_ALT = re.compile(rb'<sheet\b[^>]*?r:id="([^"]*)"[^>]*?name="([^"]*)"')
_REL = re.compile(rb'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"')
_REL_ALT = re.compile(rb'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')
_VALUE_CELL = re.compile(rb'<c\b[^>]*?\br="[A-Z]+(\d+)"[^>]*?(?<!/)>(?:(?!</c>).)*?<(?:v|is)\b', re.S)
_CELL_LETTERS = re.compile(r"^([A-Z]+)(\d+)$")
_HEAD_BYTES = 1 << 16


def _unescape(raw: bytes) -> str:
    text = raw.decode("utf-8", errors="replace")
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(entity, char)
    return text


def letters_to_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


class WorkbookMeta:
    """Sheet parts and percentage styles of an open xlsx archive (read eagerly, small parts only)."""

    def __init__(self, archive: zipfile.ZipFile):
        self._archive_bytes: dict[str, bytes] = {}
        self._sheet_parts: dict[str, str] = {}
        names = set(archive.namelist())
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels") if "xl/_rels/workbook.xml.rels" in names else b""
        targets = {rid: target for rid, target in _REL.findall(rels)}
        targets.update({rid: target for target, rid in _REL_ALT.findall(rels)})
        pairs = _SHEET.findall(workbook) or [(n, r) for r, n in _SHEET_ALT.findall(workbook)]
        for name, rid in pairs:
            target = targets.get(rid, b"").decode()
            if not target:
                continue
            part = target.lstrip("/") if target.startswith("/") else "xl/" + target
            self._sheet_parts[_unescape(name)] = part
        self.percent_styles = self._percent_styles(archive.read("xl/styles.xml")) if "xl/styles.xml" in names else set()
        self.has_percent_styles = bool(self.percent_styles)
        # Sheet heads are kept for `first_value_row`; whole sheets only if percentages matter.
        self._heads: dict[str, bytes] = {}
        self._full: dict[str, bytes] = {}
        for name, part in self._sheet_parts.items():
            if part not in names:
                continue
            with archive.open(part) as handle:
                if self.has_percent_styles:
                    self._full[name] = handle.read()
                    self._heads[name] = self._full[name][: _HEAD_BYTES * 4]
                else:
                    self._heads[name] = handle.read(_HEAD_BYTES)

    @staticmethod
    def _percent_styles(styles: bytes) -> set[int]:
        percent_formats = set(_BUILTIN_PERCENT_FORMATS)
        for fmt_id, code in _NUMFMT.findall(styles):
            # A "%" outside quoted literals makes Excel multiply by 100 on display.
            if "%" in re.sub(r'"[^"]*"|\\.', "", _unescape(code)):
                percent_formats.add(int(fmt_id))
        block = _CELLXFS.search(styles)
        if not block:
            return set()
        found = set()
        for index, attrs in enumerate(_XF.findall(block.group(1))):
            match = _NUMFMT_ID.search(attrs)
            if match and int(match.group(1)) in percent_formats:
                found.add(index)
        return found

    def first_value_row(self, sheet: str) -> int:
        """Row number of the first cell holding a value (where fastexcel's block starts)."""
        head = self._heads.get(sheet, b"")
        match = _VALUE_CELL.search(head)
        return int(match.group(1)) if match else 1

    def percent_cells(self, sheet: str) -> set[tuple[int, int]]:
        """(row, column index) of the cells styled as percentages."""
        data = self._full.get(sheet)
        if not data:
            return set()
        styles = b"|".join(str(s).encode() for s in sorted(self.percent_styles))
        pattern = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)(\d+)"[^>]*?\bs="(?:' + styles + rb')"')
        return {(int(row), letters_to_index(letters.decode())) for letters, row in pattern.findall(data)}
