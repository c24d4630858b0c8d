"""The files Departments really receive (issue 15 item 2): Excel 97-2003 (.xls) and
OpenDocument (.ods) workbooks load with the same shapes, rules and errors as .xlsx, and a
password-protected workbook is told apart from an old one.

The .xls and .ods files are written by another program than ours: LibreOffice converts the
XLSX shapes of ``tests.fixtures`` (title rows, merged two-row headers, a unit row, spacer
rows, a totals row, one sheet per level, numbers stored as text), and every converted file
must give exactly what its XLSX original gives: the run's counts, the stored totals (also
checked against the fixture's own sums), and the same reject and warning records.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import duckdb
import pytest
import xlsxwriter
from msoffcrypto.format.ooxml import OOXMLFile

from ingest.runner import ingest
from ioc.config import Settings
from tests.conftest import serve, upload_and_wait
from tests.fixtures import SCHOOLS, table_rows, totals, write_report_xlsx
from tests.integration.test_ingest_shapes import stored_totals
from tests.security.conftest import signed_in
from tests.soffice import convert, save_with_password

PERIOD = "2021-2022/DN"
FORMATS = ("xls", "ods")


def _by_level() -> dict[str, list[dict[str, Any]]]:
    sheets: dict[str, list[dict[str, Any]]] = {}
    for school in SCHOOLS:
        sheets.setdefault(str(school["level"]), []).append(school)
    return sheets


def _plain(path: Path, rows: list[list[str]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Báo cáo")
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    book.close()
    return path


def _bad_rows() -> list[list[str]]:
    rows = [list(r) for r in table_rows()]
    h = {name: i for i, name in enumerate(rows[0])}
    rows[1][h["Số học sinh"]] = "-5"  # negative count
    rows[2][h["Học sinh nữ"]] = "2000"  # sub-count above its total
    rows[3][h["Mã xã"]] = "99999"  # no such commune
    return rows


SHAPES: dict[str, Callable[[Path], Path]] = {
    "department": lambda d: write_report_xlsx(d / "department.xlsx", _by_level()),
    "numbers_dot": lambda d: write_report_xlsx(
        d / "numbers_dot.xlsx", _by_level(), numbers_as_text="."
    ),
    "numbers_comma": lambda d: write_report_xlsx(
        d / "numbers_comma.xlsx", _by_level(), numbers_as_text=","
    ),
    "total_mismatch": lambda d: write_report_xlsx(
        d / "total_mismatch.xlsx", {"Tất cả": SCHOOLS}, total_delta=5
    ),
    "bad_rows": lambda d: _plain(d / "bad_rows.xlsx", _bad_rows()),
}


@pytest.fixture(scope="session")
def workbooks(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """(shape, format) -> file: the XLSX shapes and their LibreOffice conversions, made once
    (one soffice run per format)."""
    folder = tmp_path_factory.mktemp("workbooks")
    originals = {name: build(folder) for name, build in SHAPES.items()}
    files = {(name, "xlsx"): path for name, path in originals.items()}
    for fmt in FORMATS:
        converted = convert(list(originals.values()), fmt, folder / fmt)
        files |= {(name, fmt): path for name, path in zip(originals, converted, strict=True)}
    return files


def _outcome(path: Path, where: Path) -> dict[str, Any]:
    settings = Settings(data_dir=where / "data")
    (report,) = ingest([path], period=PERIOD, settings=settings)
    with duckdb.connect(str(settings.published_db), read_only=True) as conn:
        rejects = conn.execute(
            "select * exclude (run_id) from ingest_rejects order by all"
        ).fetchall()
        warnings = conn.execute(
            "select * exclude (run_id) from ingest_warnings order by all"
        ).fetchall()
    return {
        "report": (report.status, report.accepted, report.rejected, report.warnings),
        "sheets": sorted(report.sheets),
        "totals": stored_totals(settings) if report.accepted else None,
        "rejects": rejects,
        "warnings": warnings,
    }


@pytest.fixture(scope="session")
def xlsx_outcomes(
    workbooks: dict[tuple[str, str], Path], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, Any]]:
    return {
        name: _outcome(workbooks[(name, "xlsx")], tmp_path_factory.mktemp(f"xlsx-{name}"))
        for name in SHAPES
    }


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("shape", list(SHAPES))
def test_same_outcome_as_xlsx(
    workbooks: dict[tuple[str, str], Path],
    xlsx_outcomes: dict[str, dict[str, Any]],
    tmp_path: Path,
    shape: str,
    fmt: str,
) -> None:
    path = workbooks[(shape, fmt)]
    assert path.read_bytes()[:4] != b"PK\x03\x04" if fmt == "xls" else True
    got = _outcome(path, tmp_path)
    assert got == xlsx_outcomes[shape]


def test_the_xlsx_outcomes_are_the_expected_ones(xlsx_outcomes: dict[str, dict[str, Any]]) -> None:
    """The yardstick itself, against the fixture's own sums and the broken rules."""
    for shape in ("department", "numbers_dot", "numbers_comma"):
        outcome = xlsx_outcomes[shape]
        assert outcome["report"] == ("loaded", len(SCHOOLS), 0, 0)
        assert outcome["sheets"] == sorted(_by_level())
        assert outcome["totals"] == totals()
    mismatch = xlsx_outcomes["total_mismatch"]
    assert mismatch["report"] == ("loaded", len(SCHOOLS), 0, 1)
    assert mismatch["totals"] == totals()
    bad = xlsx_outcomes["bad_rows"]
    assert bad["report"][1:3] == (len(SCHOOLS) - 3, 3)
    rules = {(row[1], row[5]) for row in bad["rejects"]}  # (source row, rule)
    assert {(2, "negative_count"), (4, "unknown_commune")} <= rules
    assert any(rule.startswith("students_female") for row, rule in rules if row == 3)


# --- password-protected and old workbooks ---------------------------------------------------


def _failed(path: Path, where: Path) -> str:
    (report,) = ingest([path], period=PERIOD, settings=Settings(data_dir=where / "data"))
    assert report.status == "failed"
    return report.message or ""


def test_password_protected_xlsx_is_told_apart(
    workbooks: dict[tuple[str, str], Path], tmp_path: Path
) -> None:
    encrypted = io.BytesIO()
    with workbooks[("department", "xlsx")].open("rb") as plain:
        OOXMLFile(plain).encrypt("secret", encrypted)
    path = tmp_path / "locked.xlsx"
    path.write_bytes(encrypted.getvalue())
    message = _failed(path, tmp_path)
    assert "password-protected" in message and "remove the password" in message
    reason = message.split(": ", 1)[1]  # after the file's name
    assert ".xls" not in reason and "old" not in reason


def test_password_protected_xls_is_told_apart(
    workbooks: dict[tuple[str, str], Path], tmp_path: Path
) -> None:
    path = save_with_password(workbooks[("department", "xlsx")], tmp_path / "locked.xls", "secret")
    assert path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    message = _failed(path, tmp_path)
    assert "password-protected" in message and "remove the password" in message
    assert "old" not in message.split(": ", 1)[1]


def test_an_xls_under_an_xlsx_name_reads_by_its_content(
    workbooks: dict[tuple[str, str], Path], tmp_path: Path
) -> None:
    path = tmp_path / "renamed.xlsx"
    path.write_bytes(workbooks[("department", "xls")].read_bytes())
    (report,) = ingest([path], period=PERIOD, settings=Settings(data_dir=tmp_path / "data"))
    assert (report.status, report.accepted) == ("loaded", len(SCHOOLS))


# --- the limits of an ODS (a zip, with content.xml instead of sheet XML) ----------------------

MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def _ods(path: Path, rows_xml: str) -> Path:
    """A minimal ODS whose one sheet holds ``rows_xml``: a few hundred bytes on disk."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="S">'
        f"{rows_xml}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", MANIFEST)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


CELL = (
    '<table:table-cell {}office:value-type="float" office:value="1">'
    "<text:p>1</text:p></table:table-cell>"
)
FILLED = CELL.format("")
EMPTY = '<table:table-cell table:number-columns-repeated="{n}"/>'


@pytest.mark.parametrize(
    ("rows_xml", "setting"),
    [
        # one filled cell repeated over a million rows and a thousand columns
        (
            '<table:table-row table:number-rows-repeated="1000000">'
            + CELL.format('table:number-columns-repeated="1000" ')
            + "</table:table-row>",
            "IOC_INGEST_MAX_CELLS",
        ),
        # a filled cell past the columns limit, after an empty run
        (
            f"<table:table-row>{EMPTY.format(n=5000)}{FILLED}</table:table-row>",
            "IOC_INGEST_MAX_COLUMNS",
        ),
        # two filled cells a million empty rows apart
        (
            f"<table:table-row>{EMPTY.format(n=900)}{FILLED}</table:table-row>"
            '<table:table-row table:number-rows-repeated="1000000">'
            f"{EMPTY.format(n=1024)}</table:table-row>"
            f"<table:table-row>{FILLED}</table:table-row>",
            "IOC_INGEST_MAX_CELLS",
        ),
    ],
    ids=["repeated_cell", "wide_row", "far_apart"],
)
def test_an_ods_bomb_is_refused_before_parsing(tmp_path: Path, rows_xml: str, setting: str) -> None:
    path = _ods(tmp_path / "bomb.ods", rows_xml)
    assert path.stat().st_size < 2000
    (report,) = ingest([path], period=PERIOD, settings=Settings(data_dir=tmp_path / "data"))
    assert (report.status, report.refused_by) == ("failed", setting), report.message


def test_the_archive_limits_apply_to_an_ods(
    workbooks: dict[tuple[str, str], Path], tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path / "data", ingest_max_member_bytes=10_000)
    (report,) = ingest([workbooks[("department", "ods")]], period=PERIOD, settings=settings)
    assert (report.status, report.refused_by) == ("failed", "IOC_INGEST_MAX_MEMBER_BYTES")
    assert "the workbook part" in (report.message or "")


def test_trailing_empty_repeats_of_a_real_ods_are_no_size(
    workbooks: dict[tuple[str, str], Path], tmp_path: Path
) -> None:
    """LibreOffice writes 16,384-column and million-row empty repeats: not refused."""
    path = workbooks[("department", "ods")]
    with zipfile.ZipFile(path) as archive:
        assert b'number-columns-repeated="16' in archive.read("content.xml")
    settings = Settings(data_dir=tmp_path / "data", ingest_max_columns=20, ingest_max_cells=400)
    (report,) = ingest([path], period=PERIOD, settings=settings)
    assert report.status == "loaded", report.message


# --- the upload accepts them ----------------------------------------------------------------


@pytest.fixture(scope="module")
def server(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from serve(demo_settings, tmp_path_factory.mktemp("formats"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_upload_accepts_xls_and_ods(
    server: Any, workbooks: dict[tuple[str, str], Path], fmt: str
) -> None:
    path = workbooks[("department", fmt)]
    with closing(signed_in(server.base, "demo-admin")) as admin, path.open("rb") as fh:
        r = upload_and_wait(
            admin,
            "/api/v1/ingest",
            files={"file": (f"bao_cao.{fmt}", fh, "application/octet-stream")},
            data={"period": PERIOD},
        )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "loaded" and body["accepted"] == len(SCHOOLS), body
