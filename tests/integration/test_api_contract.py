"""schemathesis (its CLI, as a user would run it) against the OpenAPI document of the running
API: generated calls by an admin never get a 5xx and responses match their schemas."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx


def test_schemathesis_finds_no_server_errors(api_server: Any, tmp_path: Path) -> None:
    c = httpx.Client(base_url=f"{api_server.base}/api/v1")
    login = c.post("/auth/login", json={"username": "demo-admin", "password": "demo-2025!"})
    assert login.status_code == 200
    cli = Path(sys.executable).with_name("schemathesis")
    result = subprocess.run(
        [
            str(cli),
            "run",
            f"{api_server.base}/api/openapi.json",
            "--checks",
            "not_a_server_error,response_schema_conformance",
            "--header",
            f"Cookie: ioc_session={c.cookies['ioc_session']}",
            "--max-examples",
            "15",
            "--generation-deterministic",
            "--exclude-method",
            "POST",
            "--exclude-method",
            "PUT",
            "--suppress-health-check",
            "all",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    print(result.stdout[-3000:])
