"""Uploads and publishing (issue 13, items 1, 2, 6 and 11), against the real server.

Item 1: a write is checked against where the row places its school and where the registry
already places it; a move between units needs both places in scope and is recorded.
Item 2: hostile files (compression bombs, a gigantic text cell, a million columns) are refused
before parsing with a 413 naming the limit, and parsing runs in a process of its own whose
memory and time are bounded: the server's memory stays low and it goes on serving.
Item 6: failed uploads publish no build, and switching builds never breaks a reader.
Item 11: a file name is stored without control characters or path parts, and no answer
shows a server path or host name.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import io
import re
import shutil
import socket
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import duckdb
import httpx
import psutil
import pytest

from ioc.api.snapshot import Snapshot
from ioc.config import Settings
from tests.conftest import run_ioc, serve, upload_and_wait
from tests.fixtures import SCHOOLS, table_rows, write_csv
from tests.security.bombs import MB, cells_bomb, text_cell_bomb, wide_csv
from tests.security.conftest import signed_in

PERIOD = "2024-2025/DN"  # a period of the legacy scheme, with returns of every demo school
SCHOOL_941 = "94411001"  # registered in old district 941 (Sóc Trăng city), commune 31498
COMMUNE_945 = "31615"  # Thị trấn Cù Lao Dung, old district 945
SERVER_RSS_CEILING = 1024 * MB  # the API process, whatever is uploaded (it starts near 300 MB)
DATA_ROUTES = (
    "/api/v1/periods",
    f"/api/v1/indicators/values?unit=94&period={PERIOD}&scheme=legacy&children=true",
    f"/api/v1/summary?unit=94&period={PERIOD}&scheme=legacy",
)


def _add_account(server: Any, name: str, role: str, unit: str) -> str:
    """Create an account with the real `ioc users add` on the server's store; its password."""
    settings = Settings(data_dir=server.data_dir)
    result = run_ioc(settings, "users", "add", name, "--role", role, "--unit", unit)
    found = re.search(r"Password \(shown once, store it now\): (\S+)", result.stdout)
    assert found, result.stdout
    return found[1]


def _row(school_code: str, district: str, commune: str) -> dict[str, Any]:
    return dict(
        SCHOOLS[0],
        school_code=school_code,
        province_code="94",
        district_code=district,
        commune_code=commune,
        students=999,
        students_female=500,
    )


def _upload(
    who: httpx.Client, path: Path, name: str | None = None, period: str | None = PERIOD
) -> httpx.Response:
    with path.open("rb") as fh:
        return upload_and_wait(
            who,
            "/api/v1/ingest",
            files={"file": (name or path.name, fh, "application/octet-stream")},
            data={"period": period} if period else {},
        )


def _summary(who: httpx.Client, unit: str) -> dict[str, Any]:
    r = who.get("/api/v1/summary", params={"unit": unit, "period": PERIOD, "scheme": "legacy"})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _school_return(server: Any, school_code: str) -> tuple[Any, ...] | None:
    with duckdb.connect(str(server.data_dir / "ioc.duckdb"), read_only=True) as conn:
        return conn.execute(
            "select * exclude (run_id) from core_school__period_returns "
            "where school_code = ? and school_year || '/' || term = ?",
            [school_code, PERIOD],
        ).fetchone()


def _warnings(server: Any, run_id: int) -> list[dict[str, Any]]:
    with duckdb.connect(str(server.data_dir / "ioc.duckdb"), read_only=True) as conn:
        return conn.sql(f"select * from ingest_warnings where run_id = {run_id}").pl().to_dicts()


def _published(server: Any) -> tuple[int, str]:
    """The last run, and a digest of every published table, row by row, up to that run."""
    with duckdb.connect(str(server.data_dir / "ioc.duckdb"), read_only=True) as conn:
        (last,) = conn.execute("select max(run_id) from ingest_runs").fetchone()  # type: ignore[misc]
    return last, _digest(server, last)


def _unchanged(server: Any, before: tuple[int, str]) -> bool:
    """Whether the published data is what it was ``before``: a refused file adds its failed
    run (every run is recorded) and changes nothing else."""
    last, digest = before
    with duckdb.connect(str(server.data_dir / "ioc.duckdb"), read_only=True) as conn:
        statuses = conn.execute("select status from ingest_runs where run_id > ?", [last])
        if {status for (status,) in statuses.fetchall()} - {"failed"}:
            return False
    return _digest(server, last) == digest


def _digest(server: Any, last_run: int) -> str:
    digest = hashlib.sha256()
    with duckdb.connect(str(server.data_dir / "ioc.duckdb"), read_only=True) as conn:
        tables = [t for (t,) in conn.execute("select table_name from duckdb_tables()").fetchall()]
        for table in sorted(tables):
            where = f"where run_id <= {last_run}" if table == "ingest_runs" else ""
            rows = conn.execute(f"select * from {table} {where} order by all").fetchall()
            digest.update(f"{table}:{rows!r}".encode())
    return digest.hexdigest()


class PeakRss:
    """The server process's peak resident memory while the block runs."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest.fixture(scope="module")
def server(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A server of its own (these tests upload), accepting files up to 20 MB."""
    yield from serve(
        demo_settings,
        tmp_path_factory.mktemp("uploads"),
        {"IOC_MAX_FILE_BYTES": str(20 * MB)},
    )


@pytest.fixture(scope="module")
def admin(server: Any) -> Iterator[httpx.Client]:
    with closing(signed_in(server.base, "demo-admin")) as client:
        yield client


@pytest.fixture(scope="module")
def leader(server: Any) -> Iterator[httpx.Client]:
    with closing(signed_in(server.base, "demo-leader")) as client:
        yield client


# -- item 1: scope on writes ------------------------------------------------------------------


def test_an_operator_cannot_overwrite_a_school_registered_in_another_district(
    server: Any, leader: httpx.Client, tmp_path: Path
) -> None:
    """The finding's very row: school 94411001 of 941, written as a school of 945 by an
    operator of 945. Rejected, with the rule, the school and where it is registered; 941's
    and 945's totals and the school's return unchanged."""
    password = _add_account(server, "op-945", "operator", "legacy:945")
    before = {unit: _summary(leader, unit) for unit in ("941", "945")}
    stored = _school_return(server, SCHOOL_941)
    path = write_csv(
        tmp_path / "cu-lao-dung.csv", table_rows([_row(SCHOOL_941, "945", COMMUNE_945)])
    )
    with closing(signed_in(server.base, "op-945", password)) as operator:
        r = _upload(operator, path)
    assert r.status_code == 201, r.text
    report = r.json()
    assert (report["accepted"], report["replaced"], report["rejected"]) == (0, 0, 1)
    # the run says why in the rule's own words (issue 15), under the message's code
    assert report["message_code"] == "out_of_scope"
    assert "School registered outside the account's units" in report["message"]
    assert "Trường đăng ký ngoài đơn vị của tài khoản" in report["message_vi"]
    rejects = leader.get(f"/api/v1/ingest/runs/{report['run_id']}/rejects").json()
    assert [x["rule"] for x in rejects] == ["school_registered_out_of_scope"]
    message = rejects[0]["message"]
    assert SCHOOL_941 in message and "old district 941" in message and "31498" in message
    assert {unit: _summary(leader, unit) for unit in ("941", "945")} == before
    assert _school_return(server, SCHOOL_941) == stored


def test_a_move_by_an_account_holding_both_places_is_accepted_and_recorded(
    server: Any, admin: httpx.Client, leader: httpx.Client, tmp_path: Path
) -> None:
    """An operator of the province (both districts in scope) and an admin may move a school
    between old districts: the row is loaded and the move is recorded as a ``school_moved``
    warning of the run, named in the run's report."""
    with duckdb.connect(str(server.data_dir / "ioc.duckdb"), read_only=True) as conn:
        (other,) = conn.execute(
            "select school_code from core_school__registry where district_code_legacy = '941' "
            "and school_code <> ? order by school_code limit 1",
            [SCHOOL_941],
        ).fetchone()  # type: ignore[misc]
    for who, code in ((signed_in(server.base, "demo-operator"), other), (admin, SCHOOL_941)):
        path = write_csv(
            tmp_path / f"move-{code}.csv", table_rows([_row(code, "945", COMMUNE_945)])
        )
        r = _upload(who, path)
        assert r.status_code == 201, r.text
        report = r.json()
        assert (report["accepted"], report["replaced"], report["rejected"]) == (1, 1, 0)
        assert report["message_code"] == "moved" and code in report["message"]
        assert "School moved between units" in report["message"]
        moved = [w for w in _warnings(server, report["run_id"]) if w["rule"] == "school_moved"]
        assert len(moved) == 1 and moved[0]["school_code"] == code
        assert "old district 941" in moved[0]["message"]
        assert leader.get(f"/api/v1/ingest/runs/{report['run_id']}").json()["warnings"] >= 1
        assert _school_return(server, code) is not None


# -- item 2: hostile files ----------------------------------------------------------------------


BOMBS: list[tuple[str, Callable[[Path], Path], str]] = [
    ("cells.xlsx", lambda p: cells_bomb(p, 2048 * MB), "IOC_INGEST_MAX_MEMBER_BYTES"),
    ("text.xlsx", lambda p: text_cell_bomb(p, 2048 * MB), "IOC_INGEST_MAX_MEMBER_BYTES"),
    ("ratio.xlsx", lambda p: cells_bomb(p, 64 * MB), "IOC_INGEST_MAX_ZIP_RATIO"),
    ("wide.xlsx", lambda p: cells_bomb(p, MB, dimension="A1:XFD2"), "IOC_INGEST_MAX_COLUMNS"),
    ("tall.xlsx", lambda p: cells_bomb(p, MB, dimension="A1:CV1048576"), "IOC_INGEST_MAX_CELLS"),
    ("columns.csv", wide_csv, "IOC_INGEST_MAX_LINE_BYTES"),
    ("narrow.csv", lambda p: wide_csv(p, 5000), "IOC_INGEST_MAX_COLUMNS"),
]


@pytest.mark.parametrize(("name", "build", "limit"), BOMBS, ids=[b[0] for b in BOMBS])
def test_a_hostile_file_is_refused_before_parsing(
    server: Any,
    admin: httpx.Client,
    leader: httpx.Client,
    tmp_path: Path,
    name: str,
    build: Callable[[Path], Path],
    limit: str,
) -> None:
    path = build(tmp_path / name)
    assert path.stat().st_size < 20 * MB
    before, build_id = _published(server), leader.get("/api/v1/health").json()["build_id"]
    with PeakRss(server.pid) as rss:
        r = _upload(admin, path)
    assert r.status_code == 413, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["code"] == "file_over_limit" and problem["limit"] == limit
    assert name in problem["detail"] and limit in problem["detail"]
    vi = problem["message"]["vi"]  # the catalog's Vietnamese for the limit that was hit
    assert vi.startswith(f"{name}: ") and limit in vi and "tệp bị từ chối" in vi
    assert vi.startswith(problem["message_vi"]) and " the " not in vi
    assert problem["message_en"] in problem["detail"]
    assert rss.peak < SERVER_RSS_CEILING
    assert leader.get("/api/v1/health").json()["build_id"] == build_id
    assert _unchanged(server, before)
    run = leader.get(f"/api/v1/ingest/runs/{problem['run_id']}").json()
    assert run["status"] == "failed" and limit in run["message"]
    assert run["message_en"] == run["message"] and run["message_vi"] == problem["message_vi"]


def test_an_empty_upload_is_answered_and_listed_in_vietnamese(
    admin: httpx.Client, leader: httpx.Client, tmp_path: Path
) -> None:
    path = tmp_path / "rong.csv"
    path.write_bytes(b"")
    r = _upload(admin, path)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "failed" and body["message_code"] == "file_empty"
    assert body["message"] == body["message_en"] == "rong.csv: the file is empty (0 bytes)"
    assert body["message_vi"] == "rong.csv: tệp rỗng (0 byte)"
    assert "message_params" not in body
    (run,) = [x for x in leader.get("/api/v1/ingest/runs").json() if x["run_id"] == body["run_id"]]
    assert run["message_vi"] == "rong.csv: tệp rỗng (0 byte)"
    assert run["message_en"] == run["message"] == "rong.csv: the file is empty (0 bytes)"
    detail = leader.get(f"/api/v1/ingest/runs/{body['run_id']}").json()
    assert detail["message_vi"] == run["message_vi"] and "message_params" not in detail


@pytest.fixture(scope="module")
def bounded_server(
    demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """A server whose archive limits let a bomb through to the reader, with the ingest
    process bounded to 700 MiB: the last line of defence."""
    yield from serve(
        demo_settings,
        tmp_path_factory.mktemp("bounded"),
        {
            "IOC_MAX_FILE_BYTES": str(20 * MB),
            "IOC_INGEST_MAX_UNZIPPED_BYTES": str(4096 * MB),
            "IOC_INGEST_MAX_MEMBER_BYTES": str(4096 * MB),
            "IOC_INGEST_MAX_ZIP_RATIO": "100000",
            "IOC_INGEST_MEMORY_LIMIT_MB": "700",
        },
    )


def test_a_bomb_past_the_archive_limits_is_stopped_at_the_memory_limit(
    bounded_server: Any, tmp_path: Path
) -> None:
    server = bounded_server
    path = cells_bomb(tmp_path / "cells.xlsx", 2048 * MB)
    before = _published(server)
    with closing(signed_in(server.base, "demo-admin")) as admin, PeakRss(server.pid) as rss:
        build_id = admin.get("/api/v1/health").json()["build_id"]
        r = _upload(admin, path)
        assert r.status_code == 413, r.text
        problem = r.json()
        assert problem["code"] == "ingest_memory_limit"
        assert problem["limit"] == "IOC_INGEST_MEMORY_LIMIT_MB" and "700 MiB" in problem["detail"]
        assert admin.get("/api/v1/health").status_code == 200
        assert admin.get("/api/v1/health").json()["build_id"] == build_id
        run = admin.get(f"/api/v1/ingest/runs/{problem['run_id']}").json()
        assert run["status"] == "failed" and "IOC_INGEST_MEMORY_LIMIT_MB" in run["message"]
        assert admin.get(DATA_ROUTES[0]).status_code == 200
    assert rss.peak < SERVER_RSS_CEILING
    assert _unchanged(server, before)


def test_an_ingest_past_the_time_limit_is_stopped(
    demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """With a time limit shorter than any ingest, an upload is stopped: a 413 naming the
    limit, the server serving and its data unchanged."""
    for server in serve(
        demo_settings, tmp_path_factory.mktemp("timed"), {"IOC_INGEST_TIME_LIMIT_SECONDS": "0.5"}
    ):
        before = _published(server)
        path = write_csv(tmp_path / "good.csv", table_rows([_row("94599001", "945", COMMUNE_945)]))
        with closing(signed_in(server.base, "demo-admin")) as admin:
            r = _upload(admin, path)
            assert r.status_code == 413, r.text
            assert r.json()["code"] == "ingest_time_limit"
            assert r.json()["limit"] == "IOC_INGEST_TIME_LIMIT_SECONDS"
            assert admin.get("/api/v1/health").status_code == 200
        assert _unchanged(server, before)


# -- item 6: publishing never breaks readers ----------------------------------------------------


def _read_concurrently(base: str, cookies: httpx.Cookies) -> list[int]:
    def get(route: str) -> int:
        with httpx.Client(base_url=base, cookies=cookies, timeout=60) as client:
            return client.get(route).status_code

    routes = ["/api/v1/health", *DATA_ROUTES] * 3
    with concurrent.futures.ThreadPoolExecutor(len(routes)) as pool:
        return list(pool.map(get, routes))


def test_failed_uploads_publish_no_build_and_are_listed(
    server: Any, admin: httpx.Client, leader: httpx.Client, tmp_path: Path
) -> None:
    build_id = leader.get("/api/v1/health").json()["build_id"]
    garbage = [b"", b"\x00\x01garbage\xff" * 50, b"PK\x03\x04" + b"\x00" * 100, b"a,b\n1,2\n"]
    runs = []
    for i in range(10):
        path = tmp_path / f"bad-{i}.csv"
        path.write_bytes(garbage[i % len(garbage)])
        r = _upload(admin, path)
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "failed"
        runs.append(r.json()["run_id"])
        statuses = _read_concurrently(server.base, leader.cookies)
        assert all(s == 200 for s in statuses), statuses
        assert leader.get("/api/v1/health").json()["build_id"] == build_id
    listed = {r["run_id"]: r for r in leader.get("/api/v1/ingest/runs").json()}
    assert all(listed[run]["status"] == "failed" for run in runs)
    assert "ResourceInUse" not in server.log.read_text()


@pytest.mark.slow  # make test-slow; .ci/run runs it
def test_switching_builds_under_readers_breaks_none(
    server: Any, admin: httpx.Client, leader: httpx.Client, tmp_path: Path
) -> None:
    """Uploads that publish a new build each, while readers keep reading: no 500."""
    statuses: list[int] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            statuses.extend(_read_concurrently(server.base, leader.cookies))

    reader = threading.Thread(target=read)
    reader.start()
    builds = set()
    try:
        for i in range(5):
            row = _row(f"9459990{i}", "945", COMMUNE_945)
            r = _upload(admin, write_csv(tmp_path / f"new-{i}.csv", table_rows([row])))
            assert r.status_code == 201 and r.json()["accepted"] == 1, r.text
            time.sleep(0.6)  # the server looks for a new build every 0.5 s
            builds.add(leader.get("/api/v1/health").json()["build_id"])
    finally:
        stop.set()
        reader.join()
    assert len(builds) == 5
    assert statuses and set(statuses) == {200}, sorted(set(statuses))
    assert "ResourceInUse" not in server.log.read_text()


# -- item 11: file names and paths --------------------------------------------------------------


def _texts(value: Any) -> list[str]:
    """Every string in a JSON value."""
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return [text for item in items for text in _texts(item)]


def _raw_upload(who: httpx.Client, filename: bytes, content: bytes) -> httpx.Response:
    """A multipart body written by hand: httpx would escape the name's control characters,
    a hostile client does not."""
    boundary = b"ioc-test-boundary"
    body = b"\r\n".join(
        [
            b"--" + boundary,
            b'Content-Disposition: form-data; name="period"',
            b"",
            PERIOD.encode(),
            b"--" + boundary,
            b'Content-Disposition: form-data; name="file"; filename="' + filename + b'"',
            b"Content-Type: text/csv",
            b"",
            content,
            b"--" + boundary + b"--",
            b"",
        ]
    )
    return upload_and_wait(
        who,
        "/api/v1/ingest",
        content=body,
        headers={"content-type": f"multipart/form-data; boundary={boundary.decode()}"},
    )


def test_file_names_are_stored_safe_and_no_answer_shows_a_server_path(
    server: Any, admin: httpx.Client, leader: httpx.Client, tmp_path: Path
) -> None:
    content = write_csv(
        tmp_path / "x.csv", table_rows([_row("94599101", "945", COMMUNE_945)])
    ).read_bytes()
    sent = "../../evil\nline\x1b[31m\u202e.csv"
    r = _raw_upload(admin, sent.encode(), content)
    assert r.status_code == 201, r.text
    report = r.json()
    assert report["file_name"] == "evil_line_[31m_.csv"
    assert report["path"] == "../../evil\\nline\\x1b[31m\\u202e.csv"  # as sent, escaped
    run = leader.get(f"/api/v1/ingest/runs/{report['run_id']}").json()
    assert run["file_name"] == "evil_line_[31m_.csv"
    stored = list((server.data_dir / "raw" / f"run-{report['run_id']:06d}").iterdir())
    assert [p.name for p in stored] == ["evil_line_[31m_.csv"]
    audit = admin.get("/api/v1/audit", params={"action": "ingest"}).json()["items"]
    details = [text for e in audit for text in _texts(e["detail"])]
    assert not any(re.search(r"[\x00-\x1f\x7f\u202e]", text) for text in details)
    assert any("evil\\nline\\x1b[31m\\u202e.csv" in text for text in details)

    failed = _upload(admin, tmp_path / "x.csv", name="empty.csv", period=None)  # no period
    assert failed.status_code == 201 and failed.json()["status"] == "failed"
    answers = [r.text, failed.text]
    for route in ("/api/v1/ingest/runs", f"/api/v1/ingest/runs/{report['run_id']}"):
        answers.append(leader.get(route).text)
    answers.append(leader.get("/api/v1/ingest/runs", params={"format": "csv"}).text)
    xlsx = zipfile.ZipFile(io.BytesIO(leader.get("/api/v1/ingest/runs.xlsx").content))
    answers.append("".join(xlsx.read(m).decode() for m in xlsx.namelist()))
    for text in answers:
        assert "ioc-upload-" not in text and "/tmp" not in text and str(server.data_dir) not in text
        assert "source_file" not in text and socket.gethostname() not in text


def test_a_new_build_never_closes_a_connection_a_reader_is_using(
    demo_settings: Settings, tmp_path: Path
) -> None:
    """The API's snapshot, on a real published file: a query still running on the previous
    build while the next one is opened finishes, and the switch does not fail."""
    settings = Settings(data_dir=tmp_path / "data")
    shutil.copytree(demo_settings.data_dir, settings.data_dir)
    snapshot = Snapshot(settings)
    with snapshot.cursor() as (first, cur):
        path = write_csv(tmp_path / "new.csv", table_rows([_row("94599201", "945", COMMUNE_945)]))
        run_ioc(settings, "ingest", str(path), "--period", PERIOD)
        counted: list[Any] = []
        query = threading.Thread(
            target=lambda: counted.extend(
                cur.execute("select count(*) from range(3000000000)").fetchall()
            )
        )
        query.start()
        time.sleep(0.2)
        snapshot.published()
        with snapshot.cursor() as (second, new):
            assert second != first and new.execute("select 1").fetchall() == [(1,)]
        query.join()
    assert counted == [(3000000000,)]
