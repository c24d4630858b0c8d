"""Reports that print and sign: the standard workbook's page setup read back from its XML
(and, where LibreOffice is installed, printed to PDF and its pages counted), the cover's
administrative heading and signature block, and the PDF of the standard report (its text,
fonts, pages and rendering, with poppler's tools)."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from ioc.catalog.definitions import load_catalog
from ioc.config import Settings
from ioc.reports.labels import MOTTO, MOTTO_SUBTITLE, PDF_SECTIONS, REPORT_TITLE, SIGNATURES
from tests.conftest import run_ioc
from tests.xlsx_xml import NS, Book, text

PERIOD = "2021-2022/DN"
UNIT = "Tỉnh Sóc Trăng"
RUNNING_HEAD = "Tỉnh Sóc Trăng — Đầu năm học 2021-2022"
#: the demo province's workbook printed 288 pages before its page setup; now 88 (with
#: Carlito, LibreOffice's metric twin of Excel's Calibri), 116 without it
WORKBOOK_PAGES_MAX = 120
POPPLER = ("pdftotext", "pdfinfo", "pdffonts", "pdftoppm")


def _export(settings: Settings, out: Path, *extra: str) -> Path:
    run_ioc(settings, "export", "--unit", "94", "--period", PERIOD, "--out", str(out), *extra)
    (path,) = out.iterdir()
    return path


@pytest.fixture(scope="module")
def workbook(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _export(demo_settings, tmp_path_factory.mktemp("print-xlsx"))


@pytest.fixture(scope="module")
def report_pdf(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _export(demo_settings, tmp_path_factory.mktemp("print-pdf"), "--format", "pdf")


def _vietnam_date(path: Path) -> tuple[str, str, str]:
    """Day, month and year of the file name's stamp (Vietnam time), as the date line
    writes them: days and months 1 and 2 with a leading zero."""
    stamp = re.search(r"_(\d{4})(\d{2})(\d{2})-\d{6}\.", path.name)
    assert stamp is not None
    year, month, day = stamp.groups()
    return day, month if int(month) < 3 else str(int(month)), year


def test_every_sheet_prints_a4_landscape_with_headers_and_page_numbers(workbook: Path) -> None:
    book = Book(workbook)
    names = ET.fromstring(book.zip.read("xl/workbook.xml"))
    order = list(book.sheets)
    titles = {
        order[int(d.get("localSheetId", -1))]: d.text or ""
        for d in names.iterfind("m:definedNames/m:definedName", NS)
        if d.get("name") == "_xlnm.Print_Titles"
    }
    for name in order:
        sheet = book.sheet(name)
        setup = sheet.find("m:pageSetup", NS)
        assert setup is not None, name
        assert (setup.get("paperSize"), setup.get("orientation")) == ("9", "landscape"), name
        assert sheet.find("m:printOptions", NS) is not None, name
        header = sheet.findtext("m:headerFooter/m:oddHeader", "", NS)
        footer = sheet.findtext("m:headerFooter/m:oddFooter", "", NS)
        assert "SỞ GIÁO DỤC VÀ ĐÀO TẠO" in header and RUNNING_HEAD in header, name
        assert "Trang &P/&N" in footer, name
        if name == "Danh sách trường":  # column blocks, code and name on every page
            assert setup.get("pageOrder") == "overThenDown"
            assert 40 <= int(setup.get("scale", "100")) <= 100
            families = {i.family for i in load_catalog().indicators if i.kind != "schools"}
            breaks = sheet.findall("m:colBreaks/m:brk", NS)
            assert 1 <= len(breaks) <= len(families)
            assert titles[name] == f"'{name}'!$A:$B,'{name}'!$1:$2"
            continue
        fit = sheet.find("m:sheetPr/m:pageSetUpPr", NS)
        assert fit is not None and fit.get("fitToPage") == "1", name
        assert setup.get("fitToWidth", "1") == "1", name
        if name == "Bìa":
            assert setup.get("fitToHeight", "1") == "1"
            assert name not in titles
        else:
            assert setup.get("fitToHeight") == "0", name
            assert titles[name] == f"'{name}'!$1:$2", name


def test_cover_has_the_issuer_motto_place_date_and_signatures(workbook: Path) -> None:
    book = Book(workbook)
    cells = {ref: text(cell) for ref, cell in book.cells("Bìa").items()}
    assert cells["A1"] == "UBND TỈNH SÓC TRĂNG" and cells["A2"] == "SỞ GIÁO DỤC VÀ ĐÀO TẠO"
    assert cells["B1"] == MOTTO and cells["B2"] == MOTTO_SUBTITLE
    day, month, year = _vietnam_date(workbook)
    assert cells["B4"] == f"Sóc Trăng, ngày {day} tháng {month} năm {year}"
    assert cells["A6"] == REPORT_TITLE[0]
    values = list(cells.values())
    for title, how in SIGNATURES:
        assert title in values and how in values
    assert values.index(SIGNATURES[0][0]) > values.index("Các trang / Sheets")


def test_the_issuer_comes_from_the_settings(demo_settings: Settings, tmp_path: Path) -> None:
    env = {
        "IOC_ISSUER_PARENT": "UBND THÀNH PHỐ CẦN THƠ",
        "IOC_ISSUER_NAME": "SỞ GIÁO DỤC VÀ ĐÀO TẠO THÀNH PHỐ CẦN THƠ",
        "IOC_ISSUER_PLACE": "Cần Thơ",
    }
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        path = _export(demo_settings, tmp_path)
    cells = {ref: text(cell) for ref, cell in Book(path).cells("Bìa").items()}
    assert cells["A1"] == env["IOC_ISSUER_PARENT"] and cells["A2"] == env["IOC_ISSUER_NAME"]
    assert cells["B4"].startswith("Cần Thơ, ngày ")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="no LibreOffice (.ci/run installs it)")
def test_workbook_prints_within_the_page_bound(workbook: Path, tmp_path: Path) -> None:
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), workbook],
        check=True,
        capture_output=True,
        timeout=300,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    (printed,) = tmp_path.glob("*.pdf")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", printed.read_bytes()))
    assert 15 <= pages <= WORKBOOK_PAGES_MAX


def _poppler(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout


def _need_poppler() -> None:
    missing = [tool for tool in POPPLER if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"no {', '.join(missing)} (poppler-utils; .ci/run installs it)")


def test_pdf_says_who_issues_it_and_signs_it(report_pdf: Path) -> None:
    _need_poppler()
    assert report_pdf.name.endswith(".pdf")
    words = unicodedata.normalize("NFC", _poppler("pdftotext", "-layout", str(report_pdf), "-"))
    for expected in (
        MOTTO,
        MOTTO_SUBTITLE,
        REPORT_TITLE[0],
        "UBND TỈNH SÓC TRĂNG",
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
        f"{UNIT} — Đầu năm học 2021-2022",
        *(part for pair in SIGNATURES for part in pair),
    ):
        assert expected in words, expected
    day, month, year = _vietnam_date(report_pdf)
    assert f"Sóc Trăng, ngày {day} tháng {month} năm {year}" in words
    fonts = _poppler("pdffonts", str(report_pdf)).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # every font embedded
    assert all("DejaVuSansCondensed" in line for line in fonts)


def test_pdf_pages_follow_its_content(report_pdf: Path, tmp_path: Path) -> None:
    """Cover, then each part from a new page (its table's headings repeated on every page
    it runs to), 'Trang k/N' on page k, and every page rendered."""
    _need_poppler()
    info = _poppler("pdfinfo", str(report_pdf))
    match = re.search(r"Pages:\s+(\d+)", info)
    assert match is not None
    pages = int(match.group(1))
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size is not None and float(size[1]) > float(size[2])  # landscape
    texts = [
        unicodedata.normalize(
            "NFC", _poppler("pdftotext", "-f", str(k), "-l", str(k), str(report_pdf), "-")
        )
        for k in range(1, pages + 1)
    ]
    for k, page in enumerate(texts, start=1):
        assert f"Trang {k}/{pages}" in page
    starts = []
    for n, (vi, _) in enumerate(PDF_SECTIONS.values(), start=1):
        roman = ("I", "II", "III", "IV")[n - 1]
        starts.append(next(k for k, page in enumerate(texts, 1) if f"{roman}. {vi}" in page))
    assert starts[0] == 2 and starts == sorted(starts)
    indicators = len(load_catalog().indicators)
    headings = ("Mã chỉ tiêu", "Mã đơn vị", "Code", "Căn cứ pháp lý")
    ends = [*starts[1:], pages + 1]
    for start, end, heading in zip(starts, ends, headings, strict=True):
        for k in range(start, end):  # continuation pages repeat the table's headings
            if k == pages and heading not in texts[k - 1]:
                assert SIGNATURES[0][0] in texts[k - 1]  # the signature block's own page
                continue
            assert heading in texts[k - 1], (k, heading)
    # 49 indicators at about 25 rows a page, twice (values and definitions), 11 districts
    assert 1 + 4 <= pages <= 1 + 2 * (indicators // 20 + 1) + 2 + 1
    assert SIGNATURES[0][0] in texts[-1] and SIGNATURES[1][0] in texts[-1]
    _poppler("pdftoppm", "-png", "-r", "30", str(report_pdf), str(tmp_path / "page"))
    rendered = sorted(tmp_path.glob("page-*.png"))
    assert len(rendered) == pages
    for png in rendered:
        with Image.open(png) as image:
            dark = sum(image.convert("L").histogram()[:128])
            assert dark > 50, png.name  # text was drawn
