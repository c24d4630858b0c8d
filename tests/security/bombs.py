"""Hostile upload files, built small on disk: an XLSX whose sheet expands to gigabytes of
cells, an XLSX with one gigantic text cell, and a CSV with a million columns.

A big member is written as one deflate segment repeated: a segment compressed with a full
flush is independent of what came before it, so ``segment * n`` (and a final empty block)
is a valid deflate stream that expands to ``chunk * n``, without compressing gigabytes."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
NO_STRINGS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" '
    'uniqueCount="0"></sst>'
)
MB = 1 << 20


class _Member:
    """One zip member as (head, repeated chunk x n, tail), deflated without the expansion."""

    def __init__(
        self, name: str, head: str, chunk: str = "", times: int = 0, tail: str = ""
    ) -> None:
        parts = [head.encode(), chunk.encode(), tail.encode()]
        crc = zlib.crc32(parts[0])
        segments = []
        for part, count in zip(parts, (1, times, 1), strict=True):
            deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
            segment = deflate.compress(part) + deflate.flush(zlib.Z_FULL_FLUSH)
            segments.append(segment * count)
            if part is parts[1]:
                for _ in range(times):
                    crc = zlib.crc32(part, crc)
        crc = zlib.crc32(parts[2], crc)
        final = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
        self.name = name.encode()
        self.data = b"".join(segments) + final
        self.crc = crc
        self.size = len(parts[0]) + len(parts[1]) * times + len(parts[2])


def _zip(path: Path, members: list[_Member]) -> Path:
    """A plain (non-zip64) archive of deflated members; sizes must stay below 4 GiB."""
    local, central = bytearray(), bytearray()
    for m in members:
        fields = (20, 0, 8, 0, 0, m.crc, len(m.data), m.size, len(m.name), 0)
        central += (
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, len(local))
            + m.name
        )
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + m.name + m.data
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(local), 0
    )
    path.write_bytes(bytes(local + central + end))
    return path


def _workbook(path: Path, sheet: _Member, strings: _Member) -> Path:
    small = [
        _Member("[Content_Types].xml", CONTENT_TYPES),
        _Member("_rels/.rels", ROOT_RELS),
        _Member("xl/workbook.xml", WORKBOOK),
        _Member("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
    ]
    return _zip(path, [*small, sheet, strings])


def cells_bomb(path: Path, expanded: int = 2048 * MB, dimension: str | None = None) -> Path:
    """An XLSX whose one sheet holds ``expanded`` bytes of numeric cells (rows of 100)."""
    row = "<row>" + "<c><v>1</v></c>" * 100 + "</row>"
    chunk = row * (MB // len(row))
    head = SHEET_HEAD + (f'<dimension ref="{dimension}"/>' if dimension else "") + "<sheetData>"
    sheet = _Member(
        "xl/worksheets/sheet1.xml", head, chunk, expanded // len(chunk), "</sheetData></worksheet>"
    )
    return _workbook(path, sheet, _Member("xl/sharedStrings.xml", NO_STRINGS))


def text_cell_bomb(path: Path, expanded: int = 2048 * MB) -> Path:
    """An XLSX with one shared-string cell of ``expanded`` bytes of text."""
    sheet = _Member(
        "xl/worksheets/sheet1.xml",
        SHEET_HEAD + '<dimension ref="A1"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>'
        "</row></sheetData></worksheet>",
    )
    head = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        'uniqueCount="1"><si><t>'
    )
    strings = _Member("xl/sharedStrings.xml", head, "a" * MB, expanded // MB, "</t></si></sst>")
    return _workbook(path, sheet, strings)


def wide_csv(path: Path, columns: int = 1_000_000) -> Path:
    """A CSV whose one line has ``columns`` columns (two bytes each)."""
    path.write_bytes(b",".join([b"1"] * columns) + b"\n")
    return path
