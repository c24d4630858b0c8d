"""What every pulled source gives the pull (:mod:`ingest.pull`): pages of rows named by the
contract's fields, as text (what a return file's cells would be), with their change
versions, the tombstones it reported, and where to resume after each page."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Tombstone:
    """A row the source says it deleted: recorded, never applied to published history."""

    school_code: str
    school_year: str | None  # None for the registry (resource ``schools``)
    term: str | None
    version: str | None


@dataclass
class Page:
    number: int  # 1-based, counted from the start of this pull (resumed pages included)
    rows: list[dict[str, str | None]]  # contract (or registry) field → text
    versions: list[str | None]  # each row's change version (None: the source gives none)
    tombstones: list[Tombstone] = field(default_factory=list)
    resume: dict[str, Any] | None = None  # passed back to ``pages`` to go on after this page
    last: bool = False


class PullError(Exception):
    """A pull cannot go on: the catalog code (``sources`` of messages.yaml), the source, the
    page and the field where it happened, and the parameters of its message. Its text never
    holds a credential."""

    def __init__(
        self,
        code: str,
        source: str,
        *,
        resource: str | None = None,
        page: int | None = None,
        field: str | None = None,
        **params: object,
    ) -> None:
        self.code, self.source, self.resource = code, source, resource
        self.page, self.field, self.params = page, field, params
        where = ", ".join(
            f"{k} {v}" for k, v in (("resource", resource), ("page", page), ("field", field)) if v
        )
        super().__init__(f"source {source}: {code}" + (f" ({where})" if where else ""))

    def body(self) -> dict[str, object]:
        return {
            "code": self.code,
            "source": self.source,
            "resource": self.resource,
            "page": self.page,
            "field": self.field,
            "params": self.params,
        }


class Fetcher(Protocol):
    """A source's pages of one resource, from a watermark (None: everything)."""

    retries: int  # requests retried so far (429, 503, 5xx, network errors)

    def pages(
        self, resource: str, since: str | None, resume: dict[str, Any] | None
    ) -> Iterator[Page]: ...

    def close(self) -> None: ...
