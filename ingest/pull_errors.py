"""A failed pull in the user's words: the ``error`` of a PullReport (docs/pulls.md), the
catalog's ``sources`` message of a :class:`PullError` in both languages, or the English text
of any other failure."""

from __future__ import annotations

from typing import Any

from ingest.sources.base import PullError
from ioc.catalog.messages import LANGS
from ioc.catalog.source_messages import source_message

FAILED = "pull_failed"  # a failure that is not a PullError (a bug, a full disk...)


def error_of(exc: BaseException, source: str) -> dict[str, Any]:
    """The report's ``error``: code, vi, en, resource, page, field."""
    if isinstance(exc, PullError):
        where = {"source": exc.source, "resource": exc.resource, "page": exc.page}
        words: dict[str, str] = {
            lang: source_message(exc.code, lang, {"field": exc.field, **exc.params}, **where)
            or str(exc)
            for lang in LANGS
        }
        return {
            "code": exc.code,
            **words,
            "resource": exc.resource,
            "page": exc.page,
            "field": exc.field,
        }
    text = f"source {source}: {type(exc).__name__}: {exc}"
    return {"code": FAILED, "vi": text, "en": text, "resource": None, "page": None, "field": None}
