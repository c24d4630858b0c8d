"""`ioc serve --workers 2` as real processes on loopback, over a copy of the demo data.

Which worker answers is found from the sockets: a connection is held by the worker process
that accepted it (psutil reads the workers' TCP connections), so a test picks connections
on each worker and knows who answers each request.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import psutil
import pytest

from ioc import db
from ioc.config import Settings
from tests.conftest import run_ioc, serve
from tests.fixtures import SCHOOLS, table_rows, write_csv

PASSWORD = "demo-2025!"
PERIOD = "2021-2022/DN"
VALUES = f"/api/v1/indicators/values?unit=94&period={PERIOD}"
WORKERS = {"IOC_WORKERS": "2"}
NEW_BUILD_SECONDS = 5.0  # a build published is served by every worker within this


class Conn(NamedTuple):
    http: http.client.HTTPConnection
    pid: int  # the worker holding it


class Builds(NamedTuple):
    """Two builds of the server's data: the demo's (a) and one ingest later (b)."""

    a: Path
    b: Path
    a_id: str
    b_id: str
    students: dict[str, int]  # NET_STUDENTS of province 94 in each build, by build id
    published_at: float  # monotonic time the ingest of b ended


def workers_of(parent: int) -> set[int]:
    """The worker processes uvicorn spawned (not its multiprocessing resource tracker)."""
    found = set()
    for child in psutil.Process(parent).children():
        with contextlib.suppress(psutil.Error):
            if "spawn_main" in " ".join(child.cmdline()):
                found.add(child.pid)
    return found


def holder(parent: int, port: int, client_port: int) -> int | None:
    for pid in workers_of(parent):
        with contextlib.suppress(psutil.Error):
            for c in psutil.Process(pid).net_connections(kind="tcp"):
                if c.raddr and c.laddr.port == port and c.raddr.port == client_port:
                    return pid
    return None


def connect(server: Any) -> Conn:
    """A new connection, and the worker that accepted it."""
    port = int(server.base.rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.connect()
    client_port = conn.sock.getsockname()[1]
    deadline = time.monotonic() + 10
    while (pid := holder(server.pid, port, client_port)) is None:
        assert time.monotonic() < deadline, "no worker accepted the connection"
        time.sleep(0.02)
    return Conn(conn, pid)


def on_each_worker(server: Any, per_worker: int = 1, timeout: float = 60) -> dict[int, list[Conn]]:
    """New connections until every worker holds ``per_worker`` of them (extras are closed)."""
    held: dict[int, list[Conn]] = {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        workers = workers_of(server.pid)
        if len(workers) == 2 and all(len(held.get(w, [])) >= per_worker for w in workers):
            return {w: held[w] for w in workers}
        conn = connect(server)
        mine = held.setdefault(conn.pid, [])
        if len(mine) < per_worker:
            mine.append(conn)
        else:
            conn.http.close()
    raise AssertionError(f"connections reached only {sorted(held)}")


def call(
    conn: Conn, method: str, path: str, body: Any = None, cookie: str | None = None
) -> tuple[int, http.client.HTTPResponse, bytes]:
    headers = {"Cookie": cookie} if cookie else {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.http.request(method, path, body=data, headers=headers)
    answer = conn.http.getresponse()
    return answer.status, answer, answer.read()


def login(conn: Conn, username: str = "demo-leader", password: str = PASSWORD) -> str:
    """Sign in over ``conn``; the session cookie (``name=value``)."""
    status, answer, body = call(
        conn, "POST", "/api/v1/auth/login", {"username": username, "password": password}
    )
    assert status == 200, body
    found = re.search(r"ioc_session=[^;,\s]+", answer.getheader("set-cookie") or "")
    assert found, answer.getheaders()
    return found[0]


def students(conn: Conn, cookie: str) -> tuple[str, int]:
    """(the build its ETag names, NET_STUDENTS of province 94) of one answer."""
    status, answer, body = call(conn, "GET", VALUES, cookie=cookie)
    assert status == 200, body
    etag = re.fullmatch(r'W/"([^"-]+)-[0-9a-f]+"', answer.getheader("etag") or "")
    assert etag, answer.getheaders()
    value = {r["indicator_id"]: r["value"] for r in json.loads(body)}["NET_STUDENTS"]
    return etag[1], value


def health_build(conn: Conn) -> str:
    status, _, body = call(conn, "GET", "/api/v1/health")
    assert status == 200, body
    return str(json.loads(body)["build_id"])


@contextlib.contextmanager
def two_workers(demo_settings: Settings, where: Path) -> Iterator[Any]:
    """`ioc serve` with IOC_WORKERS=2 over a copy of the demo data, both workers serving."""
    with contextlib.contextmanager(serve)(demo_settings, where, WORKERS) as server:
        on_each_worker(server)
        yield server


@pytest.fixture(scope="module")
def server(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with two_workers(demo_settings, tmp_path_factory.mktemp("workers")) as running:
        yield running


@pytest.fixture(scope="module")
def builds(server: Any, tmp_path_factory: pytest.TempPathFactory) -> Builds:
    """The demo build (a) and the build an `ioc ingest` into the server's data dir publishes
    (b), each kept as a file; b is what the server serves afterwards."""
    where = tmp_path_factory.mktemp("builds")
    conn = connect(server)
    cookie = login(conn)
    a_id, a_students = students(conn, cookie)
    shutil.copyfile(server.data_dir / "ioc.duckdb", where / "a.duckdb")
    more = [{**s, "students": (s["students"] or 0) + 1000} for s in SCHOOLS]
    run_ioc(
        Settings(data_dir=server.data_dir),
        "ingest",
        str(write_csv(where / "more.csv", table_rows(more))),
        "--period",
        PERIOD,
    )
    published_at = time.monotonic()
    shutil.copyfile(server.data_dir / "ioc.duckdb", where / "b.duckdb")
    conn = db.connect_path(where / "b.duckdb", Settings())
    try:
        b_id = (db.current_build(conn) or ("",))[0]
    finally:
        conn.close()
    assert b_id and b_id != a_id
    return Builds(
        where / "a.duckdb", where / "b.duckdb", a_id, b_id, {a_id: a_students}, published_at
    )


def test_answers_come_from_both_workers(server: Any) -> None:
    held = on_each_worker(server)
    assert len(held) == 2 and set(held) == workers_of(server.pid)
    assert server.pid not in held  # the parent only supervises
    for [conn] in held.values():
        status, _, body = call(conn, "GET", "/api/v1/health")
        assert status == 200 and json.loads(body)["status"] == "ok"


def test_a_session_made_on_one_worker_works_on_every_worker(server: Any) -> None:
    held = on_each_worker(server)
    first = next(iter(held.values()))[0]
    cookie = login(first)
    for [conn] in held.values():
        status, _, body = call(conn, "GET", "/api/v1/auth/me", cookie=cookie)
        assert status == 200, body
        assert json.loads(body)["username"] == "demo-leader"


def test_login_lockout_counts_across_workers(server: Any) -> None:
    """Bad logins alternate between the workers: the pair (address, account) is throttled
    after IOC_LOGIN_PAIR_FAILURES of them in all, not per worker."""
    allowance = Settings().login_pair_failures
    held = on_each_worker(server, per_worker=allowance)
    a, b = held.values()
    answers = []
    for n in range(allowance):
        conn = (a if n % 2 == 0 else b)[n // 2]
        status, _, _ = call(
            conn, "POST", "/api/v1/auth/login", {"username": "demo-checker-945", "password": "x"}
        )
        answers.append((conn.pid, status))
    assert [s for _, s in answers] == [401] * allowance
    assert {pid for pid, _ in answers} == set(held)
    for [conn, *_] in held.values():  # now even the right password waits, on either worker
        status, answer, _ = call(
            conn,
            "POST",
            "/api/v1/auth/login",
            {"username": "demo-checker-945", "password": PASSWORD},
        )
        assert status == 429 and int(answer.getheader("retry-after") or 0) > 0


def test_a_new_build_is_served_by_every_worker(server: Any, builds: Builds) -> None:
    held = on_each_worker(server)
    cookie = login(next(iter(held.values()))[0])
    waited: dict[int, float] = {}
    while len(waited) < len(held):
        for pid, [conn] in held.items():
            if pid not in waited and health_build(conn) == builds.b_id:
                waited[pid] = time.monotonic() - builds.published_at
        assert time.monotonic() - builds.published_at < NEW_BUILD_SECONDS, waited
        time.sleep(0.05)
    print(f"new build served by every worker {max(waited.values()):.2f} s after its ingest")
    figures = {students(conn, cookie) for [conn] in held.values()}
    assert len(figures) == 1  # every worker answers the same, from the new build
    ((build, value),) = figures
    assert build == builds.b_id and value != builds.students[builds.a_id]


def test_each_answer_reads_one_build_while_builds_are_published(
    server: Any, builds: Builds
) -> None:
    """Publish the two builds in turn (atomic renames, as a writer publishes) while clients
    ask over new connections: every answer's content is the one of the build its ETag names."""
    cookie = login(connect(server))
    expected = dict(builds.students)
    publish(server, builds.b)
    deadline = time.monotonic() + NEW_BUILD_SECONDS
    while (seen := students(connect(server), cookie))[0] != builds.b_id:
        assert time.monotonic() < deadline
    expected[builds.b_id] = seen[1]
    assert expected[builds.a_id] != expected[builds.b_id]
    answers: list[tuple[str, int]] = []
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            conn = connect(server)
            answers.append(students(conn, cookie))
            conn.http.close()

    clients = [threading.Thread(target=ask) for _ in range(4)]
    for client in clients:
        client.start()
    try:
        for n in range(8):
            time.sleep(0.4)
            publish(server, builds.a if n % 2 == 0 else builds.b)
        time.sleep(0.5)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=60)
    assert {build for build, _ in answers} == {builds.a_id, builds.b_id}
    wrong = [(build, value) for build, value in answers if value != expected[build]]
    assert not wrong, f"{len(wrong)} of {len(answers)} answers mixed two builds: {wrong[:5]}"


def publish(server: Any, build: Path) -> None:
    """Put ``build`` in place of the published file with an atomic rename."""
    staged = server.data_dir / "build" / "staged.duckdb"
    shutil.copyfile(build, staged)
    os.replace(staged, server.data_dir / "ioc.duckdb")


@pytest.mark.slow
def test_a_worker_killed_is_replaced_and_the_other_keeps_answering(
    demo_settings: Settings, tmp_path: Path
) -> None:
    with two_workers(demo_settings, tmp_path) as running:
        victim, survivor = sorted(workers_of(running.pid))
        answers: list[tuple[float, int]] = []
        stop = threading.Event()

        def stream() -> None:  # one request after another, each on a new connection
            while not stop.is_set():
                at = time.monotonic()
                try:
                    status = httpx.get(f"{running.base}/api/v1/health", timeout=10).status_code
                except httpx.HTTPError:
                    status = 0
                answers.append((at, status))

        client = threading.Thread(target=stream)
        client.start()
        try:
            time.sleep(1)
            killed_at = time.monotonic()
            os.kill(victim, signal.SIGKILL)
            while len(workers := workers_of(running.pid)) < 2 or victim in workers:
                assert time.monotonic() - killed_at < 30, "the killed worker was not replaced"
                time.sleep(0.1)
            (new,) = workers - {survivor}
            held = on_each_worker(running)  # the new worker accepts connections: it serves
            serving_at = time.monotonic()
            assert set(held) == {survivor, new}
            time.sleep(0.5)
        finally:
            stop.set()
            client.join(timeout=30)
        after = [status for at, status in answers if at >= killed_at]
        print(
            f"worker {victim} killed: replaced by {new}, serving "
            f"{serving_at - killed_at:.1f} s later; {len(after)} requests meanwhile, "
            f"{sum(s != 200 for s in after)} failed"
        )
        assert sum(s != 200 for s in after) <= 1  # at most the one in flight on the victim
        assert sum(s == 200 for s in after) >= 10


@pytest.mark.slow
def test_sigterm_lets_a_request_in_flight_finish(demo_settings: Settings, tmp_path: Path) -> None:
    """A sign-in whose body is still arriving when the server gets SIGTERM is answered (200),
    then every process stops."""
    with two_workers(demo_settings, tmp_path) as running:
        conn = connect(running)
        body = json.dumps({"username": "demo-leader", "password": PASSWORD}).encode()
        conn.http.putrequest("POST", "/api/v1/auth/login")
        conn.http.putheader("Content-Type", "application/json")
        conn.http.putheader("Content-Length", str(len(body)))
        conn.http.endheaders(body[:10])  # the request has begun: the route awaits its body
        time.sleep(0.5)
        parent = psutil.Process(running.pid)
        workers = [psutil.Process(pid) for pid in workers_of(running.pid)]
        os.kill(running.pid, signal.SIGTERM)
        time.sleep(2)  # the parent has passed it on: the workers are shutting down
        assert conn.pid in {w.pid for w in workers} and psutil.pid_exists(conn.pid)
        conn.http.send(body[10:])
        answer = conn.http.getresponse()
        assert answer.status == 200, answer.read()
        assert "ioc_session=" in (answer.getheader("set-cookie") or "")
        stopped = time.monotonic()
        _, alive = psutil.wait_procs([*workers, parent], timeout=30)
        assert not alive, alive
        print(f"all processes stopped {time.monotonic() - stopped:.1f} s after the answer")
