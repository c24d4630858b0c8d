"""The error of a file that cannot be loaded at all."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ioc.catalog.messages import Lang


class FileError(Exception):
    """The file as a whole cannot be loaded; nothing from it is stored.

    ``code`` names its text in the catalog (``files`` of ioc/catalog/messages.yaml) and
    ``params`` fill it; ``str(exc)`` is the English text after the file's name (and sheet),
    :meth:`text` the text in either language, :attr:`values` what a run record keeps.

    ``detail`` is the technical text of the library that failed (English, unstructured):
    it never goes into a message, in either language; the run keeps it beside the message
    for an administrator (``message_detail`` of the API's runs)."""

    def __init__(
        self,
        path: Path | str,
        code: str,
        *,
        sheet: str | None = None,
        detail: str | None = None,
        **params: Any,
    ) -> None:
        from ioc.catalog.messages import file_text

        self.path = str(path)
        self.code = code
        self.sheet = sheet
        self.detail = detail
        self.params = params
        self.reason = file_text(code, "en", params)
        super().__init__(self.text("en"))

    @property
    def values(self) -> dict[str, Any]:
        """The parameters with the file's name and sheet, as a run stores them."""
        where = {"file": Path(self.path).name, "sheet": self.sheet}
        return where | ({"detail": self.detail} if self.detail else {}) | self.params

    def text(self, lang: Lang) -> str:
        """The whole message ('name.csv: the file is empty (0 bytes)') in ``lang``."""
        from ioc.catalog.messages import file_message

        return file_message(self.code, lang, self.values) or self.code
