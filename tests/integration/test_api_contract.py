"""The API document says what the API does (issue 13, item 12).

schemathesis (its CLI, as a user would run it) against the OpenAPI document of a running
API of its own (it writes: targets, schedules, uploads): every check, every phase (examples,
coverage, fuzzing and the stateful phase that follows the links between operations), as an
admin with a token, with a fixed seed and a bounded number of examples. The few rules a
schema cannot state are listed, with their reason, in ``schemathesis.toml`` beside this file.

And the answers the generated calls do not reach: 405 with ``Allow`` for an undeclared
method, OPTIONS and HEAD answered by the API (not by the dashboard mounted at /), errors
documented as problem+json, exports as CSV and XLSX, and a period pattern that is the
server's own parser."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ioc.config import Settings
from ioc.domain.period import Period
from tests.conftest import run_ioc, serve

HERE = Path(__file__).parent
SEED = "20260413"
MAX_EXAMPLES = "10"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def server(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Its own server: schemathesis writes (targets, schedules, uploads)."""
    yield from serve(demo_settings, tmp_path_factory.mktemp("contract"))


@pytest.fixture(scope="module")
def admin_token(server: Any) -> str:
    """A token, not a session: a generated POST /auth/logout must not sign the run out."""
    made = run_ioc(
        Settings(data_dir=server.data_dir), "users", "token", "create", "demo-admin",
        "--name", "schemathesis",
    )  # fmt: skip
    found = re.search(r"ioc_[A-Za-z0-9_-]+", made.stdout)
    assert found, made.stdout
    return found[0]


@pytest.fixture(scope="module")
def document(server: Any) -> dict[str, Any]:
    return httpx.get(f"{server.base}/api/openapi.json").json()  # type: ignore[no-any-return]


@pytest.mark.slow  # make test-slow; .ci/run runs it
def test_schemathesis_finds_nothing(server: Any, admin_token: str, tmp_path: Path) -> None:
    cli = Path(sys.executable).with_name("schemathesis")
    result = subprocess.run(
        [
            str(cli),
            "--config-file",
            str(HERE / "schemathesis.toml"),
            "run",
            f"{server.base}/api/openapi.json",
            "--checks",
            "all",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--header",
            f"Authorization: Bearer {admin_token}",
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            SEED,
            "--generation-database",
            "none",
            "--suppress-health-check",
            "all",
            "--max-failures",
            "200",
            "--workers",
            "1",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stdout[-12000:] + result.stderr[-2000:]
    assert "Stateful" in result.stdout
    print(result.stdout[-3000:])


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("DELETE", "/api/v1/units", "GET, HEAD, OPTIONS"),
        ("PUT", "/api/v1/periods", "GET, HEAD, OPTIONS"),
        ("PATCH", "/api/v1/targets", "GET, HEAD, OPTIONS, PUT"),
        ("GET", "/api/v1/auth/login", "OPTIONS, POST"),
        ("TRACE", "/api/v1/schools/94411001", "GET, HEAD, OPTIONS"),
    ],
)
def test_an_undeclared_method_is_405_with_allow(
    server: Any, admin_token: str, method: str, path: str, allow: str
) -> None:
    answer = httpx.request(
        method, server.base + path, headers={"Authorization": f"Bearer {admin_token}"}
    )
    assert answer.status_code == 405, answer.text[:200]
    assert answer.headers["allow"] == allow
    assert answer.headers["content-type"] == "application/problem+json"


def test_options_and_head_are_answered_by_the_api(server: Any, admin_token: str) -> None:
    bearer = {"Authorization": f"Bearer {admin_token}"}
    options = httpx.options(f"{server.base}/api/v1/schedules/1")
    assert options.status_code == 204
    assert options.headers["allow"] == "DELETE, GET, HEAD, OPTIONS, PUT"
    assert httpx.options(f"{server.base}/api/v1/nothing-here").status_code == 404
    got = httpx.get(f"{server.base}/api/v1/units", params={"limit": 3}, headers=bearer)
    head = httpx.head(f"{server.base}/api/v1/units", params={"limit": 3}, headers=bearer)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == "application/json"
    assert head.headers["content-length"] == str(len(got.content))
    assert httpx.head(f"{server.base}/api/v1/units").status_code == 401
    nowhere = httpx.head(f"{server.base}/api/v1/nothing-here")
    assert nowhere.status_code == 404
    assert nowhere.headers["content-type"] == "application/problem+json"  # not the dashboard


def test_errors_and_exports_are_documented(document: dict[str, Any]) -> None:
    problem = {"$ref": "#/components/schemas/Problem"}
    lists = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            for status in ("401", "403", "404", "422"):
                content = responses[status]["content"]
                assert content == {"application/problem+json": {"schema": problem}}, (
                    method,
                    path,
                    status,
                )
            names = {p["name"] for p in operation.get("parameters", [])}
            if "format" in names:
                lists += 1
                assert {"application/json", "text/csv", XLSX} <= set(responses["200"]["content"]), (
                    path
                )
    assert lists >= 10
    assert document["components"]["securitySchemes"].keys() == {"bearer", "session"}


def test_the_period_pattern_is_the_parser(document: dict[str, Any]) -> None:
    params = document["paths"]["/api/v1/summary"]["get"]["parameters"]
    pattern = next(p for p in params if p["name"] == "period")["schema"]["pattern"]
    for period in ("2000-2001/DN", "2024-2025/CN", "2099-2100/DN", "0000-0000/DN",
                   "2024-2026/DN", "1999-2000/DN", "2100-2101/DN", "2024-2025/XX"):  # fmt: skip
        try:
            Period.parse(period)
            parsed = True
        except ValueError:
            parsed = False
        assert bool(re.fullmatch(pattern, period)) == parsed, period
