"""Reading an XLSX file's parts for tests: sheets by name, cell styles, fills, number formats."""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


class Book:
    def __init__(self, path: Path) -> None:
        self.zip = zipfile.ZipFile(path)
        workbook = ET.fromstring(self.zip.read("xl/workbook.xml"))
        rels = ET.fromstring(self.zip.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        self.sheets = {
            s.get("name"): "xl/" + str(targets[s.get(REL)])
            for s in workbook.iterfind("m:sheets/m:sheet", NS)
        }
        styles = ET.fromstring(self.zip.read("xl/styles.xml"))
        self.num_formats = {
            int(f.get("numFmtId", 0)): f.get("formatCode")
            for f in styles.iterfind("m:numFmts/m:numFmt", NS)
        }
        self.fills = [
            (f.find("m:patternFill/m:fgColor", NS).get("rgb") or "")  # type: ignore[union-attr]
            if f.find("m:patternFill/m:fgColor", NS) is not None
            else ""
            for f in styles.iterfind("m:fills/m:fill", NS)
        ]
        self.xfs = list(styles.iterfind("m:cellXfs/m:xf", NS))

    def sheet(self, name: str) -> ET.Element:
        """The sheet's XML, parsed (so it is well-formed)."""
        return ET.fromstring(self.zip.read(self.sheets[name]))

    def cells(self, name: str) -> dict[str, ET.Element]:
        return {c.get("r", ""): c for c in self.sheet(name).iterfind(".//m:c", NS)}

    def fill_of(self, cell: ET.Element) -> str:
        return self.fills[int(self.xfs[int(cell.get("s", 0))].get("fillId", 0))]

    def format_of(self, cell: ET.Element) -> str | None:
        num = int(self.xfs[int(cell.get("s", 0))].get("numFmtId", 0))
        return self.num_formats.get(num, "General" if num == 0 else str(num))


def text(cell: ET.Element) -> str:
    return "".join(t.text or "" for t in cell.iterfind(".//m:t", NS))
