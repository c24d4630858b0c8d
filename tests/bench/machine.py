"""What the figures were measured on."""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from tests.bench.national import REPO_ROOT

PACKAGES = ("duckdb", "polars", "fastexcel", "xlsxwriter", "pyarrow")


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _memory_bytes() -> int | None:
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    return None


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "missing"


def _git() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}{' (uncommitted changes)' if dirty else ''}"


def _load() -> str:
    """Load averages at the start: other processes on the machine skew the timings."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min averages)"


def header_lines() -> list[str]:
    memory = _memory_bytes()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = "  ".join(f"{name} {_version(name)}" for name in PACKAGES)
    ram = f"RAM {memory / 1024**3:.1f} GB" if memory else "RAM unknown"
    return [
        f"machine : {_cpu_model()}, {usable} cores usable ({os.cpu_count()} online), {ram}",
        f"load    : {_load()}",
        f"system  : {platform.system()} {platform.release()}",
        f"python  : {platform.python_version()}  {versions}",
        f"commit  : {_git()}",
    ]
