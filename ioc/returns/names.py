"""The names of files sent to us: what is stored (safe) and what is shown (the name as sent).

A client chooses an upload's file name: it may hold path parts (``../../x.csv``, ``C:\\x``),
control characters (a newline that forges a line of a log) or invisible format characters
(a right-to-left override that shows ``exe.csv`` for ``vsc.exe``). :func:`file_name` is the
one place that turns it into a name safe on disk, in the run list and in messages, and keeps
the original only as escaped display text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

MAX_CHARS = 150  # well within a file system's 255 bytes, in UTF-8 Vietnamese included
MAX_DISPLAY_CHARS = 300
UNSAFE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}  # control, format, unassigned, separators


@dataclass(frozen=True)
class FileName:
    safe: str  # the last path part, without control or format characters: stored and shown
    display: str  # the name as sent, every such character escaped (\n, \u202e): shown only


def file_name(raw: str | None, default: str = "upload") -> FileName:
    """The safe and display forms of a file name sent by a client (or given on a command
    line): path parts are dropped, unsafe characters become ``_``, and a name that is left
    empty or only dots is ``default``."""
    sent = unicodedata.normalize("NFC", raw or "")
    last = sent.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join("_" if _unsafe(c) else c for c in last).strip(" ").lstrip(".")
    safe = _shorten(cleaned) if cleaned.strip("._ ") else default
    return FileName(safe, _escaped(sent)[:MAX_DISPLAY_CHARS] or default)


def _unsafe(char: str) -> bool:
    return unicodedata.category(char) in UNSAFE


def _shorten(name: str) -> str:
    if len(name) <= MAX_CHARS:
        return name
    suffix = PurePath(name).suffix[:10]
    return name[: MAX_CHARS - len(suffix)] + suffix


def _escaped(text: str) -> str:
    return "".join(
        char.encode("unicode_escape").decode("ascii") if _unsafe(char) else char for char in text
    )
