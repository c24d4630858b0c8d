"""IOC_WALL_SCREENS: the real `ioc serve` refuses to start on a wall screens file that does
not validate, and says which file, which screen and what is wrong."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import IOC, REPO, free_port

BROKEN = """\
default: hall
screens:
  hall:
    unit: "94"
    panels:
      - kind: kpis
      - kind: pie
"""


def _serve(tmp_path: Path, screens: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "IOC_DATA_DIR": str(tmp_path / "data"),
        "IOC_WALL_SCREENS": str(screens),
        "COLUMNS": "200",
    }
    return subprocess.run(
        [*IOC, "serve", "--port", str(free_port())],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,  # a server that started would run until then: the test would fail
    )


def test_a_bad_screens_file_stops_the_server_with_a_specific_error(tmp_path: Path) -> None:
    screens = tmp_path / "my screens.yaml"
    screens.write_text(BROKEN, encoding="utf-8")
    result = _serve(tmp_path, screens)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"error: {screens}: screen 'hall': panels.1.kind: Input should be" in result.stderr
    assert "(given: 'pie')" in result.stderr and "Traceback" not in result.stderr
    assert "IOC-EDU on http" not in result.stdout  # never started listening


def test_a_missing_screens_file_stops_the_server(tmp_path: Path) -> None:
    result = _serve(tmp_path, tmp_path / "nowhere.yaml")
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{tmp_path / 'nowhere.yaml'}: no such wall screens file" in result.stderr
