"""A pull of a source into the snapshot (ingest.pull): first and delta pulls, duplicates and
tombstones, a failure and its resume, scope, dry run, full reconcile, the registry, and a
job killed mid-pull. Real DuckDB files in a fresh data dir; the pages come from a small
fetcher of this file (the real fetchers have their own tests)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import duckdb
import pytest

from ingest.pull import pull
from ingest.pull_test import check_source
from ingest.sources.base import Page, PullError, Tombstone
from ioc.config import Settings
from ioc.sources.spec import SourceSpec

YEAR, TERM = "2025-2026", "DN"
COMMUNES = ("31825", "31834", "31840")  # communes of province 96 (2025 scheme)
SPEC = SourceSpec(
    name="vendor-a",
    kind="ioc-edu",
    base_url="http://127.0.0.1:9",
    units=[{"scheme": "2025", "code": "96"}],  # type: ignore[list-item]
    resources=["returns"],
)


def school(n: int, students: int = 300, commune: str | None = None) -> dict[str, str | None]:
    return {
        "school_code": f"96{n:06d}",
        "school_name": f"Trường Tiểu học số {n}",
        "level": "TH",
        "ownership": "Công lập",
        "province_code": "96" if commune is None or commune.startswith("3") else "01",
        "commune_code": commune or COMMUNES[n % 3],
        "school_year": YEAR,
        "term": TERM,
        "classes": "10",
        "students": str(students),
        "students_female": str(students // 2),
    }


class ListFetcher:
    """Pages from a list (each ``(rows, versions, tombstones)``); raises a ``PullError`` when
    asked for page ``fail_at`` (a kill or a failure)."""

    def __init__(self, pages: list[tuple[list[dict[str, Any]], list[str], list[Tombstone]]]):
        self.source = pages
        self.fail_at: int | None = None
        self.retries = 0
        self.asked: list[tuple[str, str | None, int]] = []

    def pages(
        self, resource: str, since: str | None, resume: dict[str, Any] | None
    ) -> Iterator[Page]:
        start = resume["next"] if resume else 0
        self.asked.append((resource, since, start + 1))
        for i in range(start, len(self.source)):
            if self.fail_at is not None and i + 1 >= self.fail_at:
                raise PullError(
                    "server_error", SPEC.name, resource=resource, page=i + 1, status=503
                )
            rows, versions, gone = self.source[i]
            last = i == len(self.source) - 1
            yield Page(i + 1, rows, list(versions), list(gone), {"next": i + 1}, last)

    def close(self) -> None:
        pass


def paged(rows: list[dict[str, Any]], size: int, first_version: int = 1) -> list[Any]:
    return [
        (
            rows[i : i + size],
            [str(first_version + i + k) for k in range(len(rows[i : i + size]))],
            [],
        )
        for i in range(0, len(rows), size)
    ]


def snapshot(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    conn = duckdb.connect(str(settings.published_db), read_only=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def returns(settings: Settings) -> dict[str, tuple[Any, ...]]:
    rows = snapshot(
        settings,
        "select school_code, school_name, level, commune_code, classes, students, "
        "students_female from core_school__period_returns order by school_code",
    )
    return {r[0]: r[1:] for r in rows}


def expected(rows: list[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    """The rows read independently: what the snapshot must hold."""
    return {
        r["school_code"]: (
            r["school_name"],
            r["level"],
            r["commune_code"],
            int(r["classes"]),
            int(r["students"]),
            int(r["students_female"]),
        )
        for r in rows
    }


def build_id(settings: Settings) -> Any:
    return snapshot(settings, "select build_id from meta__builds order by built_at desc limit 1")


def watermark(settings: Settings, resource: str = "returns") -> Any:
    found = snapshot(
        settings,
        f"select watermark from ingest_pull_state where source = 'vendor-a' "
        f"and resource = '{resource}'",
    )
    return found[0][0] if found else None


def adds_up(report: dict[str, Any]) -> None:
    parts = ("inserted", "replaced", "unchanged", "rejected")
    assert report["fetched"] == sum(report[p] for p in parts), report
    for part in report["resources"].values():
        assert part["fetched"] == sum(part[p] for p in parts), part


@pytest.fixture
def work(tmp_path: Path) -> Path:
    return tmp_path / "pulls" / "vendor-a"


ROWS = [school(n) for n in range(1, 21)]


def test_first_pull_then_delta(settings: Settings, work: Path) -> None:
    first = pull(SPEC, {}, settings, fetcher=ListFetcher(paged(ROWS, 5)), workdir=work)
    assert first["status"] == "succeeded", first["error"]
    assert (first["pages"], first["fetched"], first["inserted"]) == (4, 20, 20)
    assert returns(settings) == expected(ROWS)
    assert watermark(settings) == "20"
    assert not (work / "checkpoint.json").exists() and not list(work.glob("pages/*"))
    adds_up(first)
    build = build_id(settings)

    # a delta: 3 changed, 2 unchanged (the overlap), one changed twice across pages, one
    # tombstone; nothing is ever deleted
    changed = [school(n, 400 + n) for n in (1, 2, 3)]
    twice = school(4, 500)
    later = school(4, 555)
    pages = [
        ([ROWS[9], changed[0], twice], ["20", "21", "22"], []),
        ([changed[1], changed[2], ROWS[10], later], ["23", "24", "20", "25"], []),
        ([], [], [Tombstone(str(ROWS[5]["school_code"]), YEAR, TERM, "26")]),
    ]
    fetcher = ListFetcher(pages)
    delta = pull(SPEC, {}, settings, fetcher=fetcher, workdir=work)
    assert fetcher.asked == [("returns", "20", 1)]
    assert delta["status"] == "succeeded", delta["error"]
    assert delta["duplicates"] == 1
    assert (delta["fetched"], delta["replaced"], delta["unchanged"]) == (6, 4, 2)
    assert (delta["inserted"], delta["rejected"], delta["tombstones"]) == (0, 0, 1)
    adds_up(delta)
    now = expected([*changed, later, *ROWS[4:]])
    assert returns(settings) == now  # the tombstoned school's return is still there
    assert snapshot(settings, "select school_code, version from ingest_tombstones") == [
        (ROWS[5]["school_code"], "26")
    ]
    assert watermark(settings) == "26"
    assert build_id(settings) != build
    runs = snapshot(
        settings,
        "select file_name, source_name, source_kind, pull_resource, sha256 from ingest_runs",
    )
    assert runs[-1][:4] == ("vendor-a: returns", "vendor-a", "ioc-edu", "returns")
    assert len(runs[-1][4]) == 64

    # nothing changed: no new build, the watermark still moves
    build = build_id(settings)
    same = pull(SPEC, {}, settings, fetcher=ListFetcher([([ROWS[10]], ["30"], [])]), workdir=work)
    assert (same["status"], same["unchanged"], same["resources"]["returns"]["run_id"]) == (
        "succeeded",
        1,
        None,
    )
    assert build_id(settings) == build and watermark(settings) == "30"


def test_failure_resumes_and_ends_as_an_uninterrupted_pull(
    settings: Settings, work: Path, tmp_path: Path
) -> None:
    pages = paged(ROWS, 4)  # 5 pages
    fetcher = ListFetcher(pages)
    fetcher.fail_at = 4
    failed = pull(SPEC, {}, settings, fetcher=fetcher, workdir=work)
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "server_error" and failed["error"]["page"] == 4
    assert failed["error"]["en"]
    assert not settings.published_db.exists()  # nothing published
    checkpoint = json.loads((work / "checkpoint.json").read_text())
    assert checkpoint["returns"]["pages"] == 3

    again = ListFetcher(pages)
    resumed = pull(SPEC, {}, settings, fetcher=again, workdir=work)
    assert again.asked == [("returns", None, 4)]  # goes on at page 4
    assert (
        resumed["status"] == "succeeded" and resumed["resources"]["returns"]["resumed_after"] == 3
    )
    assert (resumed["pages"], resumed["fetched"], resumed["inserted"]) == (5, 20, 20)

    other = Settings(data_dir=tmp_path / "other")
    pull(SPEC, {}, other, fetcher=ListFetcher(pages), workdir=tmp_path / "w2")
    assert returns(settings) == returns(other) == expected(ROWS)
    assert watermark(settings) == watermark(other) == "20"


def test_scope_dry_run_and_full_reconcile(settings: Settings, work: Path) -> None:
    outside = school(90, commune="00004")  # a commune of province 01
    dry = pull(
        SPEC,
        {},
        settings,
        fetcher=ListFetcher(paged([*ROWS, outside], 7)),
        dry_run=True,
        workdir=work,
    )
    assert dry["status"] == "succeeded", dry["error"]
    assert (dry["fetched"], dry["inserted"], dry["rejected"]) == (21, 20, 1)
    assert dry["reject_reasons"] == {"unit_out_of_scope": 1}
    assert not settings.published_db.exists() and not (work / "checkpoint.json").exists()

    real = pull(SPEC, {}, settings, fetcher=ListFetcher(paged([*ROWS, outside], 7)), workdir=work)
    assert (real["inserted"], real["rejected"]) == (20, 1)
    adds_up(real)
    assert snapshot(settings, "select rule, school_code from ingest_rejects") == [
        ("unit_out_of_scope", outside["school_code"])
    ]
    build = build_id(settings)
    tables = returns(settings)
    again = pull(
        SPEC,
        {},
        settings,
        fetcher=ListFetcher([([school(1, 999)], ["40"], [])]),
        dry_run=True,
        workdir=work,
    )
    assert (again["replaced"], again["fetched"]) == (1, 1)
    assert (
        build_id(settings) == build and returns(settings) == tables and watermark(settings) == "21"
    )

    # full: the source lost school 2, holds school 3 differently and a new school 95
    now = [r for r in ROWS if r["school_code"] != ROWS[1]["school_code"]]
    now[1] = school(3, 777)
    now.append(school(95))
    full = pull(
        SPEC, {}, settings, fetcher=ListFetcher(paged(now, 6, 100)), full=True, workdir=work
    )
    drift = full["resources"]["returns"]["drift"]
    assert drift["missing_at_source"] == {
        "count": 1,
        "examples": [f"{ROWS[1]['school_code']}/{YEAR}/{TERM}"],
    }
    assert drift["different"]["count"] == 1 and drift["new_at_source"]["count"] == 1
    assert (full["unchanged"], full["replaced"], full["inserted"]) == (18, 1, 1)
    assert ROWS[1]["school_code"] in returns(settings)  # never deleted


def test_a_delta_checks_its_schools_against_the_whole_registry(
    settings: Settings, work: Path
) -> None:
    """A delta reads the registry's places of the schools it names only: a school the
    registry places outside the source's units is still refused, a move still warned, when
    the vendor pads the codes (read as validation reads them)."""
    wider = SourceSpec.model_validate(
        SPEC.model_dump()
        | {
            "name": "vendor-b",
            "units": [{"scheme": "2025", "code": "96"}, {"scheme": "2025", "code": "01"}],
        }
    )
    elsewhere = school(90, commune="00004")  # registered in province 01
    first = pull(
        wider, {}, settings, fetcher=ListFetcher(paged([*ROWS, elsewhere], 7)), workdir=work
    )
    assert (first["status"], first["inserted"]) == ("succeeded", 21), first["error"]
    inside = school(90, 301, commune=COMMUNES[0]) | {"school_code": f" {elsewhere['school_code']} "}
    moved = school(1, 302, commune=COMMUNES[2]) | {"school_code": f" {ROWS[0]['school_code']}"}
    delta = pull(SPEC, {}, settings, fetcher=ListFetcher(paged([inside, moved], 5)), workdir=work)
    assert delta["status"] == "succeeded", delta["error"]
    assert delta["reject_reasons"] == {"school_registered_out_of_scope": 1}
    assert (delta["replaced"], delta["rejected"]) == (1, 1)
    run = delta["resources"]["returns"]["run_id"]
    assert snapshot(settings, f"select rule from ingest_warnings where run_id = {run}") == [
        ("school_moved",)
    ]
    assert returns(settings)[ROWS[0]["school_code"]][2] == COMMUNES[2]


def test_registry_pull(settings: Settings, work: Path) -> None:
    spec = SPEC.model_copy(update={"resources": ["schools"]})
    registry = [
        {
            "school_code": f"96{n:06d}",
            "school_name": f"Trường {n}",
            "level": "TH",
            "ownership": "Công lập",
            "province_code": "96",
            "commune_code": COMMUNES[n % 3],
            "status": "open" if n != 3 else "closed",
        }
        for n in range(1, 6)
    ]
    registry[4]["level"] = "Đại học"
    report = pull(spec, {}, settings, fetcher=ListFetcher(paged(registry, 2)), workdir=work)
    assert report["status"] == "succeeded", report["error"]
    assert (report["fetched"], report["inserted"], report["rejected"]) == (5, 4, 1)
    adds_up(report)
    stored = snapshot(
        settings, "select school_code, status, scheme, source from raw_registry__schools order by 1"
    )
    assert [r[0] for r in stored] == [r["school_code"] for r in registry[:4]]
    assert stored[2][1:] == ("closed", "2025", "vendor-a")
    assert snapshot(settings, "select rule, field, value from ingest_rejects") == [
        ("unknown_value", "level", "Đại học")
    ]
    assert watermark(settings, "schools") == "5"


def test_source_test_checks_the_first_page_and_stores_nothing(settings: Settings) -> None:
    outside = school(90, commune="00004")
    fetcher = ListFetcher([([ROWS[0], outside], ["1", "2"], []), ([ROWS[1]], ["3"], [])])
    answer = check_source(SPEC, {}, settings, fetcher=fetcher)
    assert answer == {
        "ok": True,
        "checks": [
            {
                "resource": "returns",
                "ok": True,
                "rows": 2,
                "rejected": 1,
                "message": "rejected: unit_out_of_scope: 1",
            }
        ],
    }
    assert not settings.published_db.exists()
    fetcher.fail_at = 1
    failed = check_source(SPEC, {}, settings, fetcher=fetcher)
    assert failed["ok"] is False and failed["checks"][0]["message"]


# -- the job, killed mid-pull ------------------------------------------------------------


class _Sync(BaseHTTPRequestHandler):
    """The ``ioc-edu`` sync shape, one row a page, slowly."""

    rows: ClassVar[list[dict[str, Any]]] = []

    def do_GET(self) -> None:
        from urllib.parse import parse_qs, urlparse

        query = parse_qs(urlparse(self.path).query)
        after = int(query.get("after", ["0"])[0] or 0)
        time.sleep(0.3)
        item = [{**self.rows[after], "_version": str(after + 1)}] if after < len(self.rows) else []
        nxt = str(after + 1) if after + 1 < len(self.rows) else None
        body = json.dumps({"items": item, "next": nxt, "version": len(self.rows)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.mark.slow
def test_job_killed_mid_pull_then_resumed(settings: Settings, work: Path) -> None:
    _Sync.rows = ROWS[:12]
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Sync)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    spec = SPEC.model_copy(update={"base_url": f"http://127.0.0.1:{server.server_port}"})
    request = {
        "do": "pull",
        "settings": {"data_dir": str(settings.data_dir)},
        "source": spec.model_dump(mode="json"),
        "secret": {"token": "s3cret-token"},
        "full": False,
        "dry_run": False,
    }
    work.mkdir(parents=True)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}

    def job() -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ingest.job"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=work,
            env=env,
        )
        assert proc.stdin is not None
        proc.stdin.write(json.dumps(request))
        proc.stdin.close()
        proc.stdin = None  # sent: communicate() must not flush it again
        return proc

    try:
        first = job()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            done = (
                json.loads((work / "progress.json").read_text() or "{}")
                if (work / "progress.json").exists()
                else {}
            )
            if done.get("done", 0) >= 4:
                break
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait()
        assert not settings.published_db.exists()
        second = job()
        out, err = second.communicate(timeout=60)
        report = json.loads(out)["pull"]
        assert report["status"] == "succeeded", (report, err)
        assert report["resources"]["returns"]["resumed_after"] >= 4
        assert returns(settings) == expected(ROWS[:12])
        assert "s3cret-token" not in out + err
    finally:
        server.shutdown()
