"""Hostile uploads, built in code: the tests and the benchmark share them (nothing big is committed).

Each builder returns the file's bytes. The sizes default to what the
benchmark measures; tests pass smaller ones where the point survives.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from qualepref.ingest.text import column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
ROOT_RELS = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_RELS}"><Relationship Id="rId1" '
             f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')


def sheet_xml(rows: str, *, dimension: str | None = None) -> str:
    head = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}" xmlns:r="{RELS}">{head}'
            f"<sheetData>{rows}</sheetData></worksheet>")


def workbook_parts(sheets: dict[str, str], *, shared_strings: str | None = None,
                   styles: str | None = None, sheet_targets: list[str] | None = None) -> dict[str, bytes]:
    """The parts of a minimal xlsx: `sheets` maps names to sheet XML (several names may share one part)."""
    parts = {"[Content_Types].xml": CONTENT_TYPES.encode(), "_rels/.rels": ROOT_RELS.encode()}
    targets = sheet_targets or [f"worksheets/sheet{i + 1}.xml" for i in range(len(sheets))]
    rels, entries = [], []
    for i, (name, xml) in enumerate(sheets.items()):
        target = targets[i]
        rid = f"rId{targets.index(target) + 1}"
        if f'Id="{rid}"' not in "".join(rels):
            rels.append(f'<Relationship Id="{rid}" Type="{RELS}/worksheet" Target="{target}"/>')
            parts[f"xl/{target}"] = xml.encode()
        entries.append(f'<sheet name="{name}" sheetId="{i + 1}" r:id="{rid}"/>')
    extra = len(rels)
    if shared_strings is not None:
        rels.append(f'<Relationship Id="rId{extra + 1}" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>')
        parts["xl/sharedStrings.xml"] = shared_strings.encode()
    if styles is not None:
        rels.append(f'<Relationship Id="rId{extra + 2}" Type="{RELS}/styles" Target="styles.xml"/>')
        parts["xl/styles.xml"] = styles.encode()
    parts["xl/workbook.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
                                f'<sheets>{"".join(entries)}</sheets></workbook>').encode()
    parts["xl/_rels/workbook.xml.rels"] = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships '
                                           f'xmlns="{PKG_RELS}">{"".join(rels)}</Relationships>').encode()
    return parts


def zipped(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# -- an archive written by hand, so its headers can lie ------------------------------------

_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")


def raw_zip(entries: list[dict]) -> bytes:
    """A zip from entries {name, data (already compressed), method, size (declared), crc, flags}."""
    chunks, central, offset = [], [], 0
    for entry in entries:
        name = entry["name"].encode()
        data, method, flags = entry["data"], entry.get("method", 8), entry.get("flags", 0)
        crc, size = entry["crc"], entry["size"]
        header = _LOCAL.pack(b"PK\x03\x04", 20, flags, method, 0, 0x21, crc, len(data), size, len(name), 0)
        chunks += [header, name, data]
        central.append(_CENTRAL.pack(b"PK\x01\x02", 20, 20, flags, method, 0, 0x21, crc, len(data), size,
                                     len(name), 0, 0, 0, 0, 0, offset) + name)
        offset += len(header) + len(name) + len(data)
    directory = b"".join(central)
    return b"".join(chunks) + directory + _END.pack(b"PK\x05\x06", 0, 0, len(entries), len(entries),
                                                    len(directory), offset, 0)


def _honest(name: str, data: bytes, **overrides) -> dict:
    deflater = zlib.compressobj(6, zlib.DEFLATED, -15)
    return {"name": name, "data": deflater.compress(data) + deflater.flush(), "method": 8, "size": len(data),
            "crc": zlib.crc32(data), "flags": 0, **overrides}


def _entries(parts: dict[str, bytes], **overrides_by_name) -> list[dict]:
    return [_honest(name, data, **overrides_by_name.get(name, {})) for name, data in parts.items()]


def _small_workbook() -> dict[str, bytes]:
    return workbook_parts({"Feuil1": sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>Site</t></is></c></row>')})


# -- the corpus -----------------------------------------------------------------------------

def lying_zip_sizes(inflated_mb: int = 700, declared: int = 2_000) -> bytes:
    """The sheet's central-directory size says `declared` bytes; its deflate stream holds `inflated_mb` MB of
    blanks between tags (issue: 0.72 MB on disk, 700 MB once inflated). Its CRC is the declared prefix's."""
    parts = _small_workbook()
    head = sheet_xml("").split("<sheetData>")[0].encode() + b"<sheetData>"
    tail = b"</sheetData></worksheet>"
    blanks = b" " * (1 << 20)
    # Deflate pieces ending on a full flush stand alone: one megabyte of blanks is compressed once and repeated.
    pieces = []
    for data in (head, blanks, tail):
        deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
        pieces.append(deflater.compress(data) + deflater.flush(zlib.Z_FULL_FLUSH if data is not tail else
                                                                 zlib.Z_FINISH))
    stream = pieces[0] + pieces[1] * inflated_mb + pieces[2]
    prefix = (head + blanks)[:declared]
    entries = _entries({k: v for k, v in parts.items() if k != "xl/worksheets/sheet1.xml"})
    entries.append({"name": "xl/worksheets/sheet1.xml", "data": stream, "method": 8, "size": declared,
                    "crc": zlib.crc32(prefix), "flags": 0})
    return raw_zip(entries)


def honest_zip_bomb(inflated_mb: int = 110) -> bytes:
    """A workbook carrying `inflated_mb` MB of zeros in an image part, sizes declared truthfully."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in _small_workbook().items():
            archive.writestr(name, data)
        with archive.open("xl/media/padding.bin", "w") as out:
            zeros = b"\0" * (1 << 20)
            for _ in range(inflated_mb):
                out.write(zeros)
    return buffer.getvalue()


def encrypted_entry() -> bytes:
    """The workbook part flagged as encrypted (bit 0 of the general-purpose flags)."""
    return raw_zip(_entries(_small_workbook(), **{"xl/workbook.xml": {"flags": 1}}))


def unknown_compression(method: int = 99) -> bytes:
    """The workbook part compressed by method 99 (AES, as WinZip writes it)."""
    return raw_zip(_entries(_small_workbook(), **{"xl/workbook.xml": {"method": method}}))


def wide_csv(columns: int = 1_000_000) -> bytes:
    """A header of `columns` fields and one line of values (4 MB for a million)."""
    return (";".join(["Site"] + ["V"] * (columns - 1)) + "\n" + ";".join(["87"] + ["1"] * (columns - 1))
            + "\n").encode()


def wide_sheet(columns: int = 1_000_000) -> bytes:
    """One row of `columns` numbers (Excel stops at 16,384 columns; the format does not)."""
    cells = "".join(f'<c r="{column_letter(j)}1"><v>1</v></c>' for j in range(columns))
    return zipped(workbook_parts({"Feuil1": sheet_xml(f'<row r="1">{cells}</row>')}))


def long_csv_field(size: int = 200 * 1024) -> bytes:
    """A quoted field of `size` characters (an unclosed quote merging lines looks the same)."""
    return ('Site;Indicateur;Période;Valeur\n87;COURRIER_DELAI;2025-01;"' + "x" * size + '"\n').encode()


def many_sheets(count: int = 3_000) -> bytes:
    """A workbook of `count` one-cell sheets."""
    one = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')
    return zipped(workbook_parts({f"F{i + 1}": one for i in range(count)}))


def sheets_sharing_a_part(count: int = 3_000) -> bytes:
    """`count` sheet names pointing at one part: few files, many sheets for the reader."""
    one = sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>')
    return zipped(workbook_parts({f"F{i + 1}": one for i in range(count)},
                                 sheet_targets=["worksheets/sheet1.xml"] * count))


def dense_corners() -> bytes:
    """Two cells, A1 and XFD1048576: the reader stores sheets densely and would allocate 550 GB."""
    rows = '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return zipped(workbook_parts({"Feuil1": sheet_xml(rows)}))


def shared_strings_count(count: int = 4_000_000_000) -> bytes:
    """A shared-strings table announcing `count` strings: calamine reserves them all (96 GB) and aborts.

    Nothing in it breaks a bound of the import: it is the witness that a reader
    bug nobody checks for ends the worker, not the server.
    """
    sst = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{count}" uniqueCount="{count}">'
           "<si><t>Site</t></si></sst>")
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    return zipped(workbook_parts({"Feuil1": sheet_xml(rows)}, shared_strings=sst))


def corpus(*, scale: float = 1.0) -> dict[str, tuple[str, bytes]]:
    """Name → (file name, bytes) of the benchmark's hostile files (`scale` < 1 shrinks the big ones)."""
    return {
        "tailles_zip_falsifiees": ("bombe-menteuse.xlsx", lying_zip_sizes(max(8, int(700 * scale)))),
        "bombe_zip_declaree": ("bombe.xlsx", honest_zip_bomb(max(110, int(110 * scale)))),
        "partie_chiffree": ("chiffre.xlsx", encrypted_entry()),
        "compression_inconnue": ("methode-99.xlsx", unknown_compression()),
        "csv_1e6_colonnes": ("colonnes.csv", wide_csv(max(2_000, int(1_000_000 * scale)))),
        "feuille_1e6_colonnes": ("colonnes.xlsx", wide_sheet(max(2_000, int(1_000_000 * scale)))),
        "champ_csv_200_kio": ("champ.csv", long_csv_field()),
        "classeur_3000_feuilles": ("feuilles.xlsx", many_sheets()),
        "3000_feuilles_une_partie": ("feuilles-partagees.xlsx", sheets_sharing_a_part()),
        "cellules_aux_coins": ("coins.xlsx", dense_corners()),
        "table_partagee_4e9": ("chaines.xlsx", shared_strings_count()),
    }
