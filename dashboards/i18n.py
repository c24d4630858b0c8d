"""UI strings: one catalog (strings.yaml), Vietnamese first, English second."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

import yaml

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")


@functools.cache
def catalog() -> dict[str, dict[str, str]]:
    raw = yaml.safe_load((Path(__file__).parent / "strings.yaml").read_text(encoding="utf-8"))
    flat: dict[str, dict[str, str]] = {}
    for section, entries in raw.items():
        for key, text in entries.items():
            flat[f"{section}.{key}"] = text
    return flat


def t(key: str, lang: str, **values: object) -> str:
    """The string ``section.key`` in ``lang``, with ``{name}`` placeholders filled."""
    entry = catalog()[key]
    text = entry.get(lang) or entry["vi"]
    return text.format(**values) if values else text


def lang_of(value: str | None) -> Lang:
    return "en" if value == "en" else "vi"
