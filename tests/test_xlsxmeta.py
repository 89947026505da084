"""xlsx metadata read by a real XML parser, and the sheet scan's fast path proven against it."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from qualepref.bench.hostile_files import sheet_xml, workbook_parts, zipped
from qualepref.ingest import readers, samples, xlsxmeta
from qualepref.ingest.limits import RefusedFile
from qualepref.ingest.text import column_letter
from tests.test_ingest_support import import_file, indicator_rows

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
LONG = ["Site", "Indicateur", "Période", "Valeur"]
ROWS = [LONG, ["87", "APPELS_PERDUS", "2025-01", 0.082], ["87", "APPELS_PERDUS", "2025-02", 0.1],
        ["87", "COURRIER_DELAI", "2025-01", 0.5]]
PERCENT = {(1, 3), (2, 3)}  # (row index, column index) of 0,082 and 0,1, shown as 8,2 % and 10 %


# -- spellings of the same sheet -----------------------------------------------------------

def _prefixed(xml: str) -> str:
    """Every SpreadsheetML element written `x:…` (legal, and what some generators write)."""
    xml = xml.replace(f'xmlns="{MAIN}"', f'xmlns:x="{MAIN}"')
    return re.sub(r"<(/?)(?!\?)([A-Za-z]+)(?=[\s/>])", r"<\1x:\2", xml)


def _s_before_r(xml: str) -> str:
    return re.sub(r'<((?:x:)?c) r="([A-Z]+[0-9]+)" s="([0-9]+)"', r'<\1 s="\3" r="\2"', xml)


def _quotes_and_spaces(xml: str) -> str:
    return re.sub(r'<c r="([A-Z]+[0-9]+)" s="([0-9]+)"', r"<c  r = '\1'\n s = '\2'", xml)


def _char_refs_in_cells(xml: str) -> str:
    """Character references inside cell tags (`s="&#49;"`: legal, read only by the exact parser)."""
    return re.sub(r'<c r="([A-Z]+[0-9]+)" s="([0-9]+)"', lambda m: f'<c r="{m[1]}" s="&#{ord(m[2][0])};{m[2][1:]}"',
                  xml)


def _no_dimension(xml: str) -> str:
    return re.sub(r"<dimension [^>]*/>", "", xml)


def _comment_in_cells(xml: str) -> str:
    return xml.replace("<sheetData>", '<sheetData><!-- <c r="Z1" s="1"><v>1</v></c> -->', 1)


SPELLINGS = {
    "as written": lambda xml: xml,
    "prefixed": _prefixed,
    "prefixed, s before r": lambda xml: _s_before_r(_prefixed(xml)),
    "quotes and spaces": _quotes_and_spaces,
    "character references": _char_refs_in_cells,
    "no dimension": _no_dimension,
    "no dimension, prefixed": lambda xml: _no_dimension(_prefixed(xml)),
    "comment among the cells": _comment_in_cells,
}


def _workbook(tmp_path, spell, *, sheet_name="Données") -> bytes:
    """The long layout with two percentage cells, its sheet XML respelled, its é as character references."""
    path = samples.write_rows_xlsx(tmp_path / "pct.xlsx", {sheet_name: ROWS}, percent_cells={sheet_name: PERCENT})
    source = zipfile.ZipFile(path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = spell(data.decode()).encode()
            elif info.filename in ("xl/workbook.xml", "xl/sharedStrings.xml"):
                # `Données`, `Période` written `Donn&#233;es`, `P&#233;riode`.
                data = data.decode().replace("é", "&#233;").encode()
            out.writestr(info.filename, data)
    return buffer.getvalue()


@pytest.mark.parametrize("spelling", list(SPELLINGS))
def test_percentages_are_found_whatever_the_spelling(db, tmp_path, spelling):
    """8,2 % stored as 8.2, not 0.082, however legal XML writes the cell (the regular expressions
    of the first version missed `<x:c …>`, `s` before `r`, and a sheet name written `Donn&#233;es`)."""
    path = tmp_path / "respelled.xlsx"
    path.write_bytes(_workbook(tmp_path, SPELLINGS[spelling]))
    import_file(db, path)
    assert indicator_rows(db) == [("87", "APPELS_PERDUS", "2025-01-01", "month", 8.2),
                                  ("87", "APPELS_PERDUS", "2025-02-01", "month", 10.0),
                                  ("87", "COURRIER_DELAI", "2025-01-01", "month", 0.5)]


@pytest.mark.parametrize("spelling", list(SPELLINGS))
def test_the_fast_scan_agrees_with_the_xml_parser(tmp_path, spelling):
    content = _workbook(tmp_path, SPELLINGS[spelling])
    parts = {name: zipfile.ZipFile(io.BytesIO(content)).read(name) for name in zipfile.ZipFile(io.BytesIO(content))
             .namelist()}
    meta = xlsxmeta.WorkbookMeta(parts)
    assert list(meta.sheet_parts) == ["Données"] and meta.percent_styles
    xml = parts[meta.sheet_parts["Données"]]
    exact = xlsxmeta.scan_sheet_exact(xml, meta.percent_styles)
    fast = xlsxmeta._fast_scan(xml, meta.percent_styles)
    assert exact.percent_cells == {(2, 3), (3, 3)} and exact.first_row == 1
    assert exact.cell_box == exact.value_box == xlsxmeta.Box(1, 4, 0, 3)
    if spelling in ("character references", "comment among the cells"):
        assert fast is None  # shapes the regular expressions do not read: the parser does
        return
    assert fast is not None, "the fast path reads this spelling"
    assert (fast.first_row, fast.percent_cells) == (exact.first_row, exact.percent_cells)
    assert fast.cell_box == exact.cell_box


def test_the_fast_scan_bounds_cells_like_the_parser_on_a_varied_sheet():
    """Rows and cells in odd places, empty styled cells, inline strings, formulas: the same figures."""
    rows = []
    for r in (3, 4, 7, 40):
        cells = []
        for c in (1, 2, 5, 27, 60):
            ref = f"{column_letter(c)}{r}"
            kind = (r + c) % 4
            cells.append([f'<c r="{ref}" s="2"><v>{r * c}</v></c>',
                          f'<c r="{ref}" t="inlineStr"><is><t>é&lt;</t></is></c>',
                          f'<c r="{ref}" s="2"/>', f'<c r="{ref}"><f>A1+1</f><v>2</v></c>'][kind])
        rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    xml = sheet_xml("".join(rows)).encode()
    percent = frozenset({2})
    fast, exact = xlsxmeta._fast_scan(xml, percent), xlsxmeta.scan_sheet_exact(xml, percent)
    assert fast is not None
    assert fast.cell_box == exact.cell_box == xlsxmeta.Box(3, 40, 1, 60)
    assert fast.percent_cells == exact.percent_cells and len(exact.percent_cells) == 10
    assert fast.first_row == exact.first_row == 3
    assert exact.value_box == xlsxmeta.Box(3, 40, 1, 60)


def test_a_truthful_dimension_is_the_bound_and_a_lying_one_is_ignored():
    cells = '<row r="2"><c r="B2"><v>1</v></c><c r="D2"><v>2</v></c></row>'
    honest = xlsxmeta._fast_scan(sheet_xml(cells, dimension="B2:D2").encode(), frozenset())
    assert honest.cell_box == xlsxmeta.Box(1, 2, 0, 3)  # from A1: an upper bound of what the reader allocates
    far = cells + '<row r="900"><c r="ZZ900"><v>3</v></c></row>'
    lying = xlsxmeta._fast_scan(sheet_xml(far, dimension="B2:D2").encode(), frozenset())
    assert lying.cell_box == xlsxmeta.Box(2, 900, 1, column_index("ZZ"))


def column_index(letters: str) -> int:
    return xlsxmeta.letters_to_index(letters)


@pytest.mark.parametrize("text", ["A", "D", "Z", "AA", "AZ", "BA", "ALL", "XFD"])
def test_the_column_pattern_accepts_exactly_the_columns_up_to_a_limit(text):
    pattern = re.compile(xlsxmeta._upto(text, "A", "Z", first="A") + b"$")
    limit = xlsxmeta.letters_to_index(text)
    assert all(bool(pattern.match(column_letter(i).encode())) == (i <= limit) for i in range(20_000))


@pytest.mark.parametrize("text", ["1", "9", "10", "99", "100", "38202", "1048576"])
def test_the_row_pattern_accepts_exactly_the_rows_up_to_a_limit(text):
    pattern = re.compile(xlsxmeta._upto(text, "0", "9", first="1") + b"$")
    assert all(bool(pattern.match(str(i).encode())) == (i <= int(text)) for i in range(1, 1_100_000, 7))
    assert not pattern.match(b"0") and not pattern.match(b"01")


# -- the small parts -------------------------------------------------------------------------

def test_sheets_relationships_and_styles_through_the_xml_parser():
    parts = workbook_parts({"Synthèse": sheet_xml(""), "Données": sheet_xml("")}, styles=(
        f'<styleSheet xmlns="{MAIN}"><numFmts count="2"><numFmt numFmtId="164" formatCode="0.0&quot;%&quot;"/>'
        f'<numFmt numFmtId="165" formatCode="0.0\\ %"/></numFmts><cellXfs count="4"><xf numFmtId="0"/>'
        '<xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="10"/></cellXfs></styleSheet>'))
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b'Target="worksheets/sheet2.xml"', b'Target="/xl/worksheets/sheet2.xml"')
    meta = xlsxmeta.WorkbookMeta(parts)
    assert meta.sheet_parts == {"Synthèse": "xl/worksheets/sheet1.xml", "Données": "xl/worksheets/sheet2.xml"}
    # A quoted "%" is a literal (no ×100); an escaped space then % is a percentage; 10 is built in.
    assert meta.percent_styles == {2, 3}


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/styles.xml", "xl/worksheets/sheet1.xml"])
def test_a_dtd_or_external_entity_is_refused(tmp_path, part):
    """No part may declare entities (XXE, billion laughs): the file is refused, nothing is fetched."""
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    parts = workbook_parts({"Feuil1": sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')},
                           styles=f'<?xml version="1.0"?><styleSheet xmlns="{MAIN}"/>')
    doctype = f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    parts[part] = parts[part].replace(b"?>", b"?>" + doctype.encode(), 1)
    assert b"<!DOCTYPE" in parts[part]
    with pytest.raises(RefusedFile) as refused:
        readers.read(zipped(parts), "xxe.xlsx", max_bytes=10_000_000)
    assert "SECRET" not in str(refused.value)
