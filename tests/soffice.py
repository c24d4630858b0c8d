"""Workbooks written by another program than ours: LibreOffice (headless) converts files to
.xls and .ods, and saves an .xls with a password through its UNO bridge (python3-uno).

Without LibreOffice the tests that need it are skipped, unless ``IOC_REQUIRE_SOFFICE`` is set
(``.ci/run`` installs it and sets it): then they fail."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest

SYSTEM_PYTHON = "/usr/bin/python3"  # the UNO bridge is Debian's python3-uno
ENCRYPT = Path(__file__).with_name("soffice_encrypt.py")


def soffice_or_skip() -> str:
    found = shutil.which("soffice")
    if found:
        return found
    if os.environ.get("IOC_REQUIRE_SOFFICE"):
        pytest.fail("soffice not found (IOC_REQUIRE_SOFFICE is set)")
    pytest.skip("LibreOffice is not installed (.ci/run installs libreoffice-calc-nogui)")


def _profile() -> str:
    """A private, writable LibreOffice profile (soffice refuses to start without one)."""
    return Path(tempfile.mkdtemp(prefix="ioc-soffice-")).as_uri()


def convert(paths: Sequence[Path], fmt: str, outdir: Path) -> list[Path]:
    """Every file converted to ``fmt`` ('xls' or 'ods') in one soffice run (it starts slowly)."""
    soffice = soffice_or_skip()
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [soffice, "--headless", "--norestore", f"-env:UserInstallation={_profile()}",
         "--convert-to", fmt, "--outdir", str(outdir), *map(str, paths)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    out = [outdir / f"{p.stem}.{fmt}" for p in paths]
    missing = [p.name for p in out if not p.is_file()]
    assert not missing, f"soffice did not write {missing}"
    return out


def save_with_password(source: Path, target: Path, password: str) -> Path:
    """``source`` saved by LibreOffice as an Excel 97-2003 workbook encrypted with a password."""
    soffice_or_skip()
    has_uno = (
        Path(SYSTEM_PYTHON).is_file()
        and subprocess.run(
            [SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, check=False
        ).returncode
        == 0
    )
    if not has_uno:
        if os.environ.get("IOC_REQUIRE_SOFFICE"):
            pytest.fail("python3-uno not found (IOC_REQUIRE_SOFFICE is set)")
        pytest.skip("python3-uno is not installed (.ci/run installs it)")
    subprocess.run(
        [SYSTEM_PYTHON, str(ENCRYPT), str(source), str(target), password, _profile()],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return target
