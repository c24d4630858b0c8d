"""Local time in exports and the command line (issue 15 item 4): with the process in UTC,
an export's cover says when it was made and the data's as-of time in Việt Nam time (the
display time zone), and IOC_REPORTS_TIMEZONE, the setting's former name, still sets it."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import fastexcel

from ioc.config import Settings
from tests.conftest import IOC, REPO

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _export(settings: Settings, out: Path, **env: str) -> Path:
    subprocess.run(
        [
            *IOC,
            "export",
            "--unit",
            "945",
            "--scheme",
            "legacy",
            "--period",
            "latest",
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
        cwd=REPO,
        timeout=600,
        env={**os.environ, "IOC_DATA_DIR": str(settings.data_dir), "TZ": "UTC", **env},
    )
    (path,) = out.glob("*.xlsx")
    return path


def _cover(path: Path) -> dict[str, str]:
    sheet = fastexcel.read_excel(path).load_sheet("Bìa", header_row=None).to_polars()
    return {str(k): str(v) for k, v in sheet.rows() if k is not None}


def _built_at(settings: Settings) -> datetime:
    with duckdb.connect(str(settings.published_db), read_only=True) as conn:
        (built,) = conn.execute(
            "select timezone('UTC', built_at) from meta__builds order by built_at desc limit 1"
        ).fetchone()  # type: ignore[misc]
    return built.replace(tzinfo=UTC)  # type: ignore[no-any-return]


def test_export_cover_is_in_vietnam_time(demo_settings: Settings, tmp_path: Path) -> None:
    before = datetime.now(UTC).replace(second=0, microsecond=0)
    path = _export(demo_settings, tmp_path)
    after = datetime.now(UTC) + timedelta(minutes=1)
    cover = _cover(path)
    made = cover["Thời điểm lập / Generated at"]
    assert made.endswith("(giờ Việt Nam)")
    shown = datetime.strptime(made[:16], "%d/%m/%Y %H:%M").replace(tzinfo=VN)
    assert before <= shown <= after, (made, before, after)
    as_of = _built_at(demo_settings).astimezone(VN).strftime("%d/%m/%Y %H:%M")
    assert cover["Số liệu tính đến / Data as of"].startswith(as_of)
    # the file name's time is Việt Nam time too
    assert shown.strftime("%Y%m%d-%H%M") in path.name


def test_the_former_setting_name_still_sets_the_zone(
    demo_settings: Settings, tmp_path: Path
) -> None:
    path = _export(demo_settings, tmp_path, IOC_REPORTS_TIMEZONE="UTC")
    made = _cover(path)["Thời điểm lập / Generated at"]
    assert made.endswith("(giờ UTC)")
    shown = datetime.strptime(made[:16], "%d/%m/%Y %H:%M").replace(tzinfo=UTC)
    assert abs(shown - datetime.now(UTC)) < timedelta(minutes=2)
