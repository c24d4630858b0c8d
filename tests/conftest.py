from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ioc.config import Settings

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
