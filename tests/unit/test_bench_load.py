"""The bench's load client (tests/bench/load.py) and callback replay helpers, against a small
real HTTP server on loopback: URLs of ``Plan.once`` are asked at most once each, POST sends
its body, and a captured callback body is made for another place by its codes only."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from tests.bench.load import Plan, RawConnection, drive
from tests.bench.scale_capture import Place, Step, substitute
from tests.fixtures import run_coroutine


class _Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: ClassVar[Counter[str]] = Counter()
    bodies: ClassVar[list[bytes]] = []

    def _answer(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        type(self).seen[self.path] += 1
        self._answer(b'{"ok":true}')

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).bodies.append(body)
        self._answer(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[str]:
    _Recorder.seen = Counter()
    _Recorder.bodies = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_once_urls_are_asked_at_most_once(recorder: str) -> None:
    once = [f"/new/{i}" for i in range(40)]
    plan = Plan(
        base_url=recorder,
        seconds=0.6,
        clients=4,
        requests={"kind": ["/repeated"]},
        weights={"kind": 1.0},
        warmup_s=0.1,
        once={"kind": once},
        once_share=1.0,
    )
    report = run_coroutine(drive(plan, "token"))
    asked = {path: n for path, n in _Recorder.seen.items() if path.startswith("/new/")}
    assert asked and max(asked.values()) == 1
    if len(asked) == len(once):  # the list ran out: the rest went back to the repeated URL
        assert _Recorder.seen["/repeated"] > 0
    total = report["overall"]["first_count"] + report["warmup"]["overall"]["first_count"]
    assert total == len(asked) + (1 if _Recorder.seen["/repeated"] else 0)


def test_raw_connection_posts_its_body(recorder: str) -> None:
    async def post() -> tuple[int, bytes]:
        conn = RawConnection(recorder, {"Cookie": "ioc_session=x"})
        try:
            return await conn.post("/_dash-update-component", b'{"output":"a.b"}')
        finally:
            await conn.close()

    status, body = run_coroutine(post())
    assert status == 200
    assert body == b'{"output":"a.b"}' == _Recorder.bodies[0]


def test_substitute_swaps_whole_codes_only() -> None:
    template = Place("01", "001", "00001001", "STF_QUALIFIED_PCT")
    other = Place("92", "916", "92161001", "NET_STUDENTS")
    body = json.dumps(
        {
            "inputs": [{"value": "?unit=001&scheme=legacy&period=2024-2025/CN"}],
            "state": [{"value": "STF_QUALIFIED_PCT"}, {"value": "01"}, {"value": "0101"}],
            "school": "/school?code=00001001",
        }
    )
    [step] = substitute([Step("district", [body])], template, other)
    made = json.loads(step.bodies[0])
    assert made["inputs"][0]["value"] == "?unit=916&scheme=legacy&period=2024-2025/CN"
    assert [s["value"] for s in made["state"]] == ["NET_STUDENTS", "92", "0101"]
    assert made["school"] == "/school?code=92161001"
