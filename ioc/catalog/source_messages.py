"""The words of pulls of sources (messages.yaml ``sources``): why a pull stopped, and the
problems of the sources API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ioc.catalog.definitions import load_messages
from ioc.catalog.messages import FORMATTERS, Lang


def source_text(code: str, lang: Lang, values: Mapping[str, Any] | None = None) -> str:
    """The text of a ``sources`` message (a pull's error, a problem of the sources API)."""
    return FORMATTERS[lang].vformat(getattr(load_messages().sources[code], lang), (), values or {})


# -- why a pull of a source stopped (messages.yaml `sources`) -------------------------------
_WHERE_PULL = {
    "vi": {"source": "nguồn", "resource": "tài nguyên", "page": "trang"},
    "en": {"source": "source", "resource": "resource", "page": "page"},
}


def source_message(
    code: str, lang: Lang, values: Mapping[str, Any] | None = None, **where: object
) -> str | None:
    """A pull error's text in ``lang`` (None for a code the catalog lacks), after where it
    happened: ``source``, ``resource``, ``page`` (and ``field``, which texts may show), as a
    ``PullError.body()`` gives them."""
    text = load_messages().sources.get(code)
    if text is None:
        return None
    try:
        body = FORMATTERS[lang].vformat(getattr(text, lang), (), {**where, **(values or {})})
    except (KeyError, IndexError):
        return None
    words = _WHERE_PULL[lang]
    place = ", ".join(f"{words[k]} {where[k]}" for k in words if where.get(k) is not None)
    return f"{place}: {body}" if place else body
