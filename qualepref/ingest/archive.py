"""An xlsx archive opened with its real decompressed size bounded (runs in the parsing worker).

A zip's central directory *declares* each part's size, and a reader that
trusts it can be made to inflate gigabytes from a small file. Here:
- the end-of-archive record is read first: too many parts, or a table of
  contents too large, are refused before `zipfile` parses anything;
- each part the reader needs is inflated through `zipfile`, which stops at
  the size it is given: asked for one byte more than declared, a deflate
  stream that holds more than it declares is refused; the CRC is checked;
  a running total bounds the whole workbook;
- the reader then gets a new archive made of those bytes only, stored
  without compression (`stored_zip`): it never inflates anything itself.

Parts no reader needs (images, printer settings, drawings, themes…) are
neither inflated nor passed on; their declared sizes still count in the
bound, so an honest zip bomb is refused before any work.
"""

from __future__ import annotations

import copy
import io
import struct
import zipfile
import zlib

from qualepref.ingest.limits import Limits, RefusedFile

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# Folders of an xlsx that hold no cell: not inflated, not given to the reader.
SKIPPED_FOLDERS = ("xl/media/", "xl/embeddings/", "xl/printerSettings/", "xl/drawings/", "xl/charts/",
                   "xl/theme/", "xl/pivotCache/", "xl/pivotTables/", "xl/activeX/", "xl/ctrlProps/",
                   "xl/diagrams/", "xl/richData/", "xl/externalLinks/", "docProps/", "customXml/")
SKIPPED_FILES = ("xl/vbaProject.bin",)

_EOCD = struct.Struct("<4s4H2LH")
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")


def _directory(content: bytes) -> tuple[int, int]:
    """(number of parts, size of the central directory) from the end-of-archive record."""
    tail_at = max(0, len(content) - _EOCD.size - 0xFFFF)
    at = content.rfind(b"PK\x05\x06", tail_at)
    if at < 0 or at + _EOCD.size > len(content):
        raise RefusedFile("not_xlsx")
    _, _, _, _, count, size, _, _ = _EOCD.unpack_from(content, at)
    if count == 0xFFFF or size == 0xFFFFFFFF:  # Zip64: the real figures are in its own record
        locator_at = at - _ZIP64_LOCATOR.size
        if locator_at < 0 or content[locator_at:locator_at + 4] != b"PK\x06\x07":
            raise RefusedFile("not_xlsx")
        record_at = _ZIP64_LOCATOR.unpack_from(content, locator_at)[2]
        if record_at + _ZIP64_EOCD.size > len(content) or content[record_at:record_at + 4] != b"PK\x06\x06":
            raise RefusedFile("not_xlsx")
        _, _, _, _, _, _, _, count, size, _ = _ZIP64_EOCD.unpack_from(content, record_at)
    return count, size


def _skipped(name: str) -> bool:
    return name.startswith(SKIPPED_FOLDERS) or name in SKIPPED_FILES or name.endswith("/")


class Parts(dict):
    """Part name → bytes, and the CRC-32 each was checked against (`stored_zip` reuses it)."""

    def __init__(self):
        super().__init__()
        self.crc: dict[str, int] = {}


def open_parts(content: bytes, limits: Limits) -> Parts:
    """The parts of an xlsx a reader needs, inflated within `limits` (`RefusedFile` otherwise)."""
    count, directory_size = _directory(content)
    if count > limits.max_entries:
        raise RefusedFile("too_many_entries", count=count, limit=limits.max_entries)
    if directory_size > limits.max_central_directory_bytes:
        raise RefusedFile("too_many_entries", count=count, limit=limits.max_entries)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise RefusedFile("not_xlsx") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_entries:
            raise RefusedFile("too_many_entries", count=len(infos), limit=limits.max_entries)
        names = {info.filename for info in infos}
        if "mimetype" in names and _inflate(archive, archive.getinfo("mimetype"), 256).startswith(ODS_MIMETYPE):
            raise RefusedFile("ods")
        # An honest zip bomb says what it holds: refused before anything is inflated.
        if sum(info.file_size for info in infos) > limits.max_uncompressed_bytes:
            raise RefusedFile("uncompressed", limit=limits.max_uncompressed_bytes)
        if "xl/workbook.xml" not in names:
            raise RefusedFile("not_xlsx")
        parts = Parts()
        left = limits.max_uncompressed_bytes
        for info in infos:
            if _skipped(info.filename):
                continue
            data = _inflate(archive, info, left)
            left -= len(data)
            parts[info.filename] = data
            parts.crc[info.filename] = info.CRC
    return parts


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """One part's real bytes: at most its declared size, which must fit in `budget`."""
    if info.flag_bits & 0x41:  # bit 0: encrypted; bit 6: strong encryption
        raise RefusedFile("encrypted_entry", part=info.filename)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise RefusedFile("compression", part=info.filename, method=info.compress_type)
    if info.file_size > budget:
        raise RefusedFile("uncompressed", limit=budget)
    # Asked for one byte past the declared size, `zipfile` stops there: a longer stream shows. Its own CRC
    # check would then fail on that extra byte and hide why: the CRC is checked here instead.
    probe = copy.copy(info)
    probe.file_size = info.file_size + 1
    del probe.CRC
    try:
        with archive.open(probe) as stream:
            data = stream.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError,
            NotImplementedError) as exc:
        raise RefusedFile("damaged_part", part=info.filename) from exc
    if len(data) > info.file_size:
        raise RefusedFile("longer_than_declared", part=info.filename)
    if len(data) < info.file_size or zlib.crc32(data) != info.CRC:
        raise RefusedFile("damaged_part", part=info.filename)
    return data


_LOCAL = struct.Struct("<4s5H3L2H")
_CENTRAL = struct.Struct("<4s6H3L5H2L")


def stored_zip(parts: dict[str, bytes]) -> bytes:
    """A zip of `parts`, stored without compression (what the reader is given)."""
    known = getattr(parts, "crc", {})
    chunks, central, offset = [], [], 0
    for name, data in parts.items():
        encoded = name.encode("utf-8")
        crc = known[name] if name in known else zlib.crc32(data)
        # version 2.0, flag bit 11 = UTF-8 names, method 0 = stored, DOS date 1980-01-01.
        header = _LOCAL.pack(b"PK\x03\x04", 20, 0x800, 0, 0, 0x21, crc, len(data), len(data), len(encoded), 0)
        chunks += [header, encoded, data]
        central.append(_CENTRAL.pack(b"PK\x01\x02", 20, 20, 0x800, 0, 0, 0x21, crc, len(data), len(data),
                                     len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
        offset += len(header) + len(encoded) + len(data)
    directory = b"".join(central)
    end = _EOCD.pack(b"PK\x05\x06", 0, 0, len(parts), len(parts), len(directory), offset, 0)
    return b"".join(chunks) + directory + end
