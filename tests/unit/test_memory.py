"""The bounds a serving process puts on its memory besides its caches (ioc/api/memory.py)."""

from __future__ import annotations

import platform

import pytest

from ioc.api import memory


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_malloc_arenas_are_limited_on_glibc() -> None:
    assert memory.limit_arenas(8) is True
    assert memory.limit_arenas(0) is False  # glibc's default kept
