"""Approvals are passed on (issue 17): /api/v1/sync/returns of an approval-required instance
versions a return by its approval too, so a return approved after a puller's watermark is on
the delta from it, though the run that wrote it is older; and the schools export shows each
return's approval."""

from __future__ import annotations

import time
from pathlib import Path

import fastexcel
import httpx
import pytest

from ingest.runner import ingest
from ioc import store
from ioc.config import Settings
from tests.conftest import run_ioc, serve
from tests.fixtures import SCHOOLS, table_rows, write_csv
from tests.integration.test_approval_snapshot import PERIOD, approve, snapshot

FIRST, SECOND = SCHOOLS[:3], SCHOOLS[3:6]


@pytest.fixture
def instance(tmp_path: Path) -> Settings:
    """Two runs (the first three schools, then the next three), the second's first approved."""
    settings = Settings(data_dir=tmp_path / "data", approval="required")
    for n, schools in enumerate((FIRST, SECOND)):
        path = write_csv(tmp_path / f"returns-{n}.csv", table_rows(schools))
        [report] = ingest([path], period=PERIOD, settings=settings)
        assert report.status == "loaded", report
    approve(settings, [SECOND[0]["school_code"]])
    return settings


def delta(base: str, token: str, since: int | None) -> tuple[list[str], int]:
    """Every school of the returns from ``since`` on, following ``next``; and the version."""
    codes: list[str] = []
    after = None
    with httpx.Client(base_url=f"{base}/api/v1", timeout=60) as c:
        c.headers["Authorization"] = f"Bearer {token}"
        while True:
            params = {"limit": 1, **({"since": since} if since is not None else {})}
            body = c.get("/sync/returns", params={**params, **({"after": after} if after else {})})
            assert body.status_code == 200, body.text
            page = body.json()
            codes += [item["school_code"] for item in page["items"]]
            version, after = page["version"], page["next"]
            if after is None:
                return codes, version


def test_a_return_approved_after_the_watermark_is_on_the_delta(
    instance: Settings, tmp_path: Path
) -> None:
    engine = store.make_engine(instance)
    try:
        with store.open_session(engine) as session:
            store.create_user(session, "national", "sync-pass-2025!", "sync")
            token, _ = store.create_token(session, "national", "national instance")
    finally:
        engine.dispose()
    server = serve(instance, tmp_path / "served", {"IOC_APPROVAL": "required"})
    up = next(server)
    try:
        codes, watermark = delta(up.base, token, None)
        assert codes == [SECOND[0]["school_code"]]
        late = FIRST[0]["school_code"]  # written by the first run, approved now
        approve(Settings(data_dir=up.data_dir, approval="required"), [late])
        # another process published: the server answers from it once it has warmed it
        # (docs/scale.md: 2 s at most), never a mix of the two builds
        deadline = time.monotonic() + 10
        while True:
            again, after = delta(up.base, token, watermark)
            if late in again or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert late in again and after >= watermark
    finally:
        next(server, None)


def test_the_schools_export_shows_each_approval(
    instance: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IOC_APPROVAL", "required")
    out = tmp_path / "schools.xlsx"
    run_ioc(
        instance,
        "export",
        "--kind",
        "schools",
        "--unit",
        "VN",
        "--scheme",
        "legacy",
        "--period",
        PERIOD,
        "--format",
        "xlsx",
        "--out",
        str(out),
    )
    approved = dict(
        snapshot(instance, "select school_code, approved_by from core_return__approvals")
    )
    sheet = fastexcel.read_excel(out).load_sheet(0, header_row=1).to_polars()
    header = [c.split("\n")[0] for c in sheet.columns]
    assert {"Trạng thái duyệt", "Ngày duyệt", "Người duyệt"} <= set(header)
    rows = sheet.rename(dict(zip(sheet.columns, header, strict=True))).to_dicts()
    assert len(rows) == len(FIRST) + len(SECOND)
    for row in rows:
        code = row["Mã trường"]
        by = approved.get(code)
        assert row["Trạng thái duyệt"] == ("Đã duyệt" if by else "Chờ duyệt"), row
        assert row["Người duyệt"] == by
        assert (row["Ngày duyệt"] is not None) == bool(by)
