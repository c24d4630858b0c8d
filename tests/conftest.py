from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ioc.config import Settings

# The suites written before review and approval (issue 17) count every return on receipt:
# 'off' is a supported mode (a national instance pulling approved returns runs so). The
# approval suites set IOC_APPROVAL=required themselves (docs/approval.md).
os.environ.setdefault("IOC_APPROVAL", "off")

REPO = Path(__file__).resolve().parent.parent
IOC = [sys.executable, "-m", "ioc"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data")


def run_ioc(settings: Settings, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the real `ioc` command in a subprocess against the test's data directory."""
    env = {**os.environ, "IOC_DATA_DIR": str(settings.data_dir), "COLUMNS": "200"}
    result = subprocess.run(
        [*IOC, *args], capture_output=True, text=True, env=env, cwd=REPO, timeout=600
    )
    if check and result.returncode != 0:
        raise AssertionError(f"ioc {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def published_digest(settings: Settings) -> str | None:
    path = settings.published_db
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def summary_totals(settings: Settings, unit: str, period: str, **kw: Any) -> dict[str, Any]:
    import json

    args = ["summary", "--unit", unit, "--period", period, "--json"]
    if kw.get("scheme"):
        args += ["--scheme", kw["scheme"]]
    return json.loads(run_ioc(settings, *args).stdout)


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The demo province built once per test session with the real `ioc demo` (read-only use)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("demo") / "data")
    run_ioc(settings, "demo")
    return settings


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(demo_settings: Settings, where: Path, extra_env: dict[str, str] | None = None) -> Any:
    """Start the real `ioc serve` (API and dashboard) over a copy of the demo data; yields an
    object with ``base``, ``data_dir`` and ``log``, and stops the server afterwards."""
    import shutil
    import time

    import httpx

    data = where / "data"
    shutil.copytree(demo_settings.data_dir, data)
    port = free_port()
    env = {
        **os.environ,
        "IOC_DATA_DIR": str(data),
        "IOC_MAX_FILE_BYTES": str(5 * 1024 * 1024),
        **(extra_env or {}),
    }
    log = (where / "server.log").open("w")
    proc = subprocess.Popen(
        [*IOC, "serve", "--port", str(port)], cwd=REPO, env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.kill()
        raise AssertionError((where / "server.log").read_text())
    try:
        yield type(
            "Server",
            (),
            {"base": base, "data_dir": data, "log": where / "server.log", "pid": proc.pid},
        )
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


JOB_ENDED = ("succeeded", "failed", "interrupted")


def wait_for_job(client: Any, url: Any, timeout: float = 600, **kwargs: Any) -> dict[str, Any]:
    """GET a job (``url``: its absolute address) until it ends; the ended job."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        r = client.get(url, **kwargs)
        assert r.status_code == 200, r.text
        job: dict[str, Any] = r.json()
        if job["status"] in JOB_ENDED or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


def upload_and_wait(client: Any, url: str, **kwargs: Any) -> Any:
    """POST an upload and follow its job to the end; the answer as an upload gave it before
    uploads became jobs: a succeeded job's ``result`` as a 201, a failed one's ``problem``
    with its status. An answer other than 202 (a problem known before the job: size, type,
    role, a limit checked before parsing) is returned as it is.

    ``client``: an ``httpx.Client`` or the ``httpx`` module (``headers`` are sent again)."""
    import httpx

    r = client.post(url, **kwargs)
    if r.status_code != 202:
        return r
    location = r.url.join(r.headers["Location"])
    assert r.json()["links"]["self"] == r.headers["Location"]
    job = wait_for_job(client, location, headers=kwargs.get("headers"))
    if job["status"] == "succeeded":
        return httpx.Response(201, json=job["result"], request=r.request)
    problem = job["problem"]
    headers = {"content-type": "application/problem+json"}
    return httpx.Response(problem["status"], json=problem, headers=headers, request=r.request)


@pytest.fixture(scope="session")
def api_server(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The real API (`ioc serve`) on a loopback port over a copy of the demo data."""
    yield from serve(demo_settings, tmp_path_factory.mktemp("api"))


# The one chromium of a test session (Playwright's sync API allows a single instance, whose
# event loop then runs in the main thread): browser tests anywhere under tests/ use it.
CHROMIUM = os.environ.get("IOC_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium_or_skip() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if os.environ.get("IOC_REQUIRE_BROWSER"):
        pytest.fail(f"chromium not found at {CHROMIUM} (IOC_REQUIRE_BROWSER is set)")
    pytest.skip("Debian chromium is not installed (.ci/run installs it)")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = _chromium_or_skip()
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=executable, headless=True, args=ARGS)
        yield instance
        instance.close()
