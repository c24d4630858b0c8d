"""A failed pull in the user's words: the ``error`` of a PullReport (docs/pulls.md), the
catalog's ``sources`` message of a :class:`PullError` in both languages, or the English text
of any other failure."""

from __future__ import annotations

import string
from typing import Any

import yaml

from ingest.sources.base import PullError
from ioc.catalog import CATALOG_DIR

FAILED = "pull_failed"  # a failure that is not a PullError (a bug, a full disk...)


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _texts(code: str) -> dict[str, str] | None:
    """The ``sources`` message ``code`` of the catalog ({"vi", "en"}), if it has one."""
    data = yaml.safe_load((CATALOG_DIR / "messages.yaml").read_text(encoding="utf-8"))
    entry = (data.get("sources") or {}).get(code) if isinstance(data, dict) else None
    if isinstance(entry, dict) and isinstance(entry.get("vi"), str):
        return {"vi": entry["vi"], "en": str(entry.get("en", entry["vi"]))}
    return None


def _format(template: str, values: dict[str, Any]) -> str:
    try:
        return string.Formatter().vformat(template, (), values)
    except (ValueError, TypeError, IndexError):
        return template


def error_of(exc: BaseException, source: str) -> dict[str, Any]:
    """The report's ``error``: code, vi, en, resource, page, field."""
    if isinstance(exc, PullError):
        values = _Blank(
            {"source": exc.source, "resource": exc.resource, "page": exc.page, "field": exc.field}
        )
        values.update(exc.params)
        texts = _texts(exc.code) or {"vi": str(exc), "en": str(exc)}
        words = {k: _format(v, values) for k, v in texts.items()}
        return {
            "code": exc.code,
            **words,
            "resource": exc.resource,
            "page": exc.page,
            "field": exc.field,
        }
    text = f"source {source}: {type(exc).__name__}: {exc}"
    return {"code": FAILED, "vi": text, "en": text, "resource": None, "page": None, "field": None}
