"""Bad input gets a specific error (file, row, column, why) and never changes stored data."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import polars as pl
import pytest
import xlsxwriter
from msoffcrypto.format.ooxml import OOXMLFile

from ingest.run_store import FileReport
from ingest.runner import ingest
from ioc.config import Settings
from tests.fixtures import SCHOOLS, table_rows, write_csv

PERIOD = "2021-2022/DN"


def returns_state(settings: Settings) -> list[tuple[object, ...]]:
    with duckdb.connect(str(settings.published_db), read_only=True) as conn:
        return conn.execute(
            "select * exclude (run_id) from core_school__period_returns order by school_code"
        ).fetchall()


@pytest.fixture
def loaded(settings: Settings, tmp_path: Path) -> Settings:
    (report,) = ingest(
        [write_csv(tmp_path / "good.csv", table_rows())], period=PERIOD, settings=settings
    )
    assert report.accepted == len(SCHOOLS)
    return settings


def ingest_one(settings: Settings, path: Path, **kw: object) -> FileReport:
    before = returns_state(settings)
    (report,) = ingest([path], period=PERIOD, settings=settings, **kw)  # type: ignore[arg-type]
    if report.status != "loaded":
        assert returns_state(settings) == before, "a failed file changed stored returns"
    return report


def rejects(settings: Settings) -> list[dict[str, object]]:
    with duckdb.connect(str(settings.published_db), read_only=True) as conn:
        return conn.sql("select * from ingest_rejects order by source_row, rule").pl().to_dicts()


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(table_rows()):
        sheet.write_row(r, 0, row)
    book.close()
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("empty.csv", b"", "empty"),
        ("blank.csv", b"\r\n \r\n", "no content"),
        ("report.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
        ("corrupt.xlsx", b"PK\x03\x04" + b"\x00" * 200, "corrupt"),
        ("latin.csv", "Mã,Tên\n1,Hòa Tân\n".encode("cp1252"), "not UTF-8"),
        ("no_header.csv", b"a,b,c\n1,2,3\n", "no header row"),
    ],
)
def test_unreadable_files(
    loaded: Settings, tmp_path: Path, name: str, content: bytes, needle: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    report = ingest_one(loaded, path)
    assert report.status == "failed"
    assert name in (report.message or "") and needle in (report.message or "")


def test_password_protected_workbook(loaded: Settings, tmp_path: Path) -> None:
    plain = io.BytesIO(xlsx_bytes())
    encrypted = io.BytesIO()
    office = OOXMLFile(plain)
    office.encrypt("secret", encrypted)
    path = tmp_path / "locked.xlsx"
    path.write_bytes(encrypted.getvalue())
    report = ingest_one(loaded, path)
    assert report.status == "failed" and "password-protected" in (report.message or "")


def test_oversized_file(loaded: Settings, tmp_path: Path) -> None:
    small_limit = loaded.model_copy(update={"max_file_bytes": 100})
    report = ingest_one(small_limit, write_csv(tmp_path / "big.csv", table_rows()))
    assert report.status == "failed"
    assert "above the limit of 100" in (report.message or "")


def test_missing_required_columns_are_named(loaded: Settings, tmp_path: Path) -> None:
    rows = [[c for i, c in enumerate(r) if i not in (2, 6)] for r in table_rows()]
    report = ingest_one(loaded, write_csv(tmp_path / "cols.csv", rows))
    assert report.status == "failed"
    assert "'Cấp học' (level)" in (report.message or "")
    assert "'Mã xã' (commune_code)" in (report.message or "")


def test_failed_run_is_recorded(loaded: Settings, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    ingest_one(loaded, path)
    with duckdb.connect(str(loaded.published_db), read_only=True) as conn:
        runs = conn.execute("select file_name, status from ingest_runs order by run_id").fetchall()
    assert runs == [("good.csv", "loaded"), ("empty.csv", "failed")]


def bad_rows_file(tmp_path: Path) -> Path:
    rows = table_rows()
    h = {name: i for i, name in enumerate(rows[0])}
    bad = [list(r) for r in rows]
    bad[1][h["Số học sinh"]] = "-5"  # negative count (row 2)
    bad[2][h["Học sinh nữ"]] = "2000"  # sub-count above total (row 3)
    bad[3][h["Số lớp"]] = "mười"  # text in a number column (row 4)
    bad[4][h["Mã tỉnh"]] = "99"  # unknown province (row 5)
    bad[5][h["Mã xã"]] = "31318"  # commune of Hậu Giang (row 6)
    bad.append(list(rows[1]))  # duplicate of row 2's school (row 8)
    bad.append(list(rows[6]))  # row 9: copy of row 7, same school
    bad[-1][h["Mã trường"]] = "94900009"
    bad[-1][h["Tên trường"]] = '=HYPERLINK("http://x","Bấm")<script>alert(1)</script>'
    return write_csv(tmp_path / "bad.csv", bad)


def test_bad_rows_rejected_good_rows_kept(settings: Settings, tmp_path: Path) -> None:
    (report,) = ingest([bad_rows_file(tmp_path)], period=PERIOD, settings=settings)
    assert report.status == "loaded"
    found = {(r["source_row"], r["column_name"], r["rule"]) for r in rejects(settings)}
    assert (2, "Số học sinh [9]", "negative_count") in found
    assert (3, "Số học sinh [9]", "students_female_le_students") in found
    assert (4, "Số lớp [8]", "not_a_whole_number") in found
    assert (5, "Mã tỉnh [5]", "unknown_province") in found
    assert (6, "Mã xã [7]", "commune_outside_province") in found
    assert (2, "Mã trường [1]", "duplicate_school_code") in found
    assert (8, "Mã trường [1]", "duplicate_school_code") in found
    assert report.rejected == 6 and report.accepted == 2  # rows 7 and 9
    with duckdb.connect(str(settings.published_db), read_only=True) as conn:
        name = conn.execute(
            "select school_name from core_school__period_returns where school_code = '94900009'"
        ).fetchall()
        warned = conn.execute(
            "select rule from ingest_warnings where school_code = '94900009'"
        ).fetchall()
    assert name == [('=HYPERLINK("http://x","Bấm")<script>alert(1)</script>',)]
    assert ("text_looks_like_formula",) in warned


def test_strict_rejects_whole_file(loaded: Settings, tmp_path: Path) -> None:
    report = ingest_one(loaded, bad_rows_file(tmp_path), strict=True)
    assert report.status == "rejected_strict" and report.accepted == 0
    assert report.rejected == 6


def test_legacy_code_in_2025_period(settings: Settings, tmp_path: Path) -> None:
    (report,) = ingest(
        [write_csv(tmp_path / "r.csv", table_rows())], period="2025-2026/DN", settings=settings
    )
    assert report.accepted == 0
    rules = {r["rule"] for r in rejects(settings)}
    assert "unknown_province" in rules  # province 94 no longer exists after 1 July 2025


def test_cli_reports_failure_with_exit_code(loaded: Settings, tmp_path: Path) -> None:
    from tests.conftest import run_ioc

    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    result = run_ioc(loaded, "ingest", str(path), "--period", PERIOD, check=False)
    assert result.returncode == 1
    assert "empty.csv: tệp rỗng (0 byte)" in result.stderr  # Vietnamese by default
    result = run_ioc(loaded, "ingest", str(path), "--period", PERIOD, "--lang", "en", check=False)
    assert result.returncode == 1
    assert "empty.csv: the file is empty" in result.stderr


def test_a_failed_run_keeps_its_message_code_and_parameters(
    loaded: Settings, tmp_path: Path
) -> None:

    from ioc.catalog.messages import run_messages

    path = write_csv(tmp_path / "thieu.csv", [["Tên trường"], ["Trường A"]])
    report = ingest_one(loaded, path)
    assert report.status == "failed" and report.message_code in {"no_header_row", "missing_columns"}
    with duckdb.connect(str(loaded.published_db), read_only=True) as conn:
        found = conn.execute(
            "select message, message_code, message_params from ingest_runs where run_id = ?",
            [report.run_id],
        ).fetchall()
    runs = pl.DataFrame(found, schema=["message", "message_code", "message_params"], orient="row")
    (row,) = run_messages(runs).to_dicts()
    assert row["message_en"] == row["message"] == report.message
    assert row["message_vi"].startswith("thieu.csv") and row["message_vi"] != row["message_en"]
    assert "message_params" not in row


def _zip(members: dict[str, bytes]) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


ODS = b"application/vnd.oasis.opendocument.spreadsheet"
ODS_BAD = "ods_content_invalid"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("garbled.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x01" * 600, "xls_invalid"),
        ("notes.xlsx", _zip({"notes.txt": b"not a workbook"}), "workbook_unreadable"),
        (
            "broken.ods",
            _zip({"mimetype": ODS, "content.xml": b"<a><b></a>"}),
            "ods_content_invalid",
        ),
    ],
)
def test_a_corrupt_workbook_is_said_in_each_language_without_the_library_text(
    loaded: Settings, tmp_path: Path, name: str, content: bytes, code: str
) -> None:
    """The reading library's own (English) words never go into a message, in either
    language: the run keeps them apart, as its technical ``detail``."""
    from ioc.catalog.messages import file_message

    path = tmp_path / name
    path.write_bytes(content)
    report = ingest_one(loaded, path)
    assert (report.status, report.message_code) == ("failed", code)
    params = report.message_params or {}
    detail = str(params.get("detail") or "")
    assert detail, "the library's text is kept for an administrator"
    vi, en = (file_message(code, lang, params) or "" for lang in ("vi", "en"))
    assert vi.startswith(f"{name}: ") and "bảng tính" in vi and en.startswith(f"{name}: ")
    assert detail not in vi and detail not in en
    if code == "ods_content_invalid":  # where the XML breaks, in words of each language
        assert "dòng 1, cột 9 của content.xml" in vi and "line 1, column 9" in en


def test_a_field_in_two_columns_is_named_in_each_language(loaded: Settings, tmp_path: Path) -> None:
    """The columns of a duplicated field are listed by the catalog in each language."""
    from ioc.catalog.messages import file_message

    header, *rows = table_rows()
    at = header.index("Số học sinh")
    twice = [[*r, r[at]] for r in [header, *rows]]
    report = ingest_one(loaded, write_csv(tmp_path / "twice.csv", twice))
    assert (report.status, report.message_code) == ("failed", "duplicate_columns")
    vi = file_message(report.message_code, "vi", report.message_params)
    en = file_message(report.message_code, "en", report.message_params)
    last = len(header) + 1
    assert vi == (
        "twice.csv: một trường xuất hiện ở nhiều cột: "
        f"Số học sinh ở các cột Số học sinh [{at + 1}], Số học sinh [{last}]"
    )
    assert en == (
        "twice.csv: a field appears in more than one column: "
        f"Pupils in columns Số học sinh [{at + 1}], Số học sinh [{last}]"
    )
