"""The error of a file that cannot be loaded at all."""

from __future__ import annotations

from pathlib import Path


class FileError(Exception):
    """The file as a whole cannot be loaded; nothing from it is stored."""

    def __init__(self, path: Path | str, message: str, *, sheet: str | None = None) -> None:
        where = f"{Path(path).name}" + (f", sheet {sheet!r}" if sheet else "")
        super().__init__(f"{where}: {message}")
        self.path = str(path)
        self.reason = message
