"""The words of review and approval (messages.yaml ``reviews``): the errors of a review
action (``ReviewError`` codes), the ingest rejects of approved returns and locked periods,
the names of actions and states, and the review chain's verdict."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ioc.catalog.definitions import load_messages
from ioc.catalog.messages import FORMATTERS, Lang
from ioc.config import display_zone
from ioc.domain.formats import local_datetime


def _word(prefix: str, value: object, lang: Lang) -> object:
    label = load_messages().reviews.get(f"{prefix}_{value}")
    return getattr(label, lang) if label is not None else value


def review_text(code: str, lang: Lang, values: Mapping[str, Any] | None = None) -> str:
    """The text of a ``reviews`` message in ``lang``: ``{action}`` and ``{state}`` are shown
    in the catalog's words, instants in the display zone ('17:15 09/03/2026')."""
    shown: dict[str, Any] = {}
    for name, value in (values or {}).items():
        if name in ("action", "state", "from_state", "to_state"):
            value = _word("state" if "state" in name else "action", value, lang)
        elif isinstance(value, datetime):
            value = local_datetime(value, display_zone())
        shown[name] = value
    text = getattr(load_messages().reviews[code], lang)
    return FORMATTERS[lang].vformat(text, (), shown)
