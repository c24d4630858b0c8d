"""The demo with approval required: the demo accounts approve every past period and all but a
queue of the latest one, so official figures exist (ingest/demo/approvals.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import duckdb
import pytest

from ioc.config import Settings
from tests.conftest import run_ioc

pytestmark = pytest.mark.slow  # the real `ioc demo`, about a minute

LATEST = ("2025-2026", "DN")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, str]]:
    settings = Settings(data_dir=tmp_path_factory.mktemp("demo-approval") / "data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IOC_APPROVAL", "required")
        yield settings, run_ioc(settings, "demo").stdout


def _db(settings: Settings) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(settings.published_db), read_only=True)


def _students(conn: duckdb.DuckDBPyConnection, basis: str, period: tuple[str, str]) -> float:
    # an all row is stored only where it differs from the official one
    row = conn.execute(
        "select NET_STUDENTS__n from out_indicator__sums where scheme = '2025' and level ="
        " 'province' and unit_code = '92' and school_year = ? and term = ?"
        " and basis in (?, 'official') order by basis = ? desc limit 1",
        [*period, basis, basis],
    ).fetchone()
    assert row is not None
    return float(row[0])


def test_the_chain_verifies(demo: tuple[Settings, str]) -> None:
    settings, _ = demo
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IOC_APPROVAL", "required")
        report = json.loads(run_ioc(settings, "audit", "verify", "--json").stdout)
    assert report["ok"] and report["events"] > 13_000


def test_past_periods_are_approved_in_full(demo: tuple[Settings, str]) -> None:
    settings, _ = demo
    with _db(settings) as conn:
        official = _students(conn, "official", ("2024-2025", "CN"))
        assert official == _students(conn, "all", ("2024-2025", "CN")) > 0


def test_the_latest_period_counts_approved_returns_only(demo: tuple[Settings, str]) -> None:
    settings, printed = demo
    with _db(settings) as conn:
        row = conn.execute(
            "select coalesce(sum(r.students) filter (where a.school_code is not null), 0),"
            " count(*) filter (where a.school_code is null)"
            " from core_school__period_returns r left join core_return__approvals a"
            " on a.school_code = r.school_code and a.school_year = r.school_year"
            " and a.term = r.term and a.content_hash = r.content_hash"
            " where r.school_year = ? and r.term = ?",
            list(LATEST),
        ).fetchone()
        assert row is not None
        by_hand, waiting = row
        assert _students(conn, "official", LATEST) == by_hand
        assert _students(conn, "all", LATEST) > by_hand
    found = re.search(r"Đã duyệt ([\d.]+) báo cáo; ([\d.]+) báo cáo chờ duyệt", printed)
    assert found is not None, printed
    assert int(found.group(2).replace(".", "")) == waiting > 0
