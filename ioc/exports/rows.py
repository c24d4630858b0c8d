"""The rows of an export: frames from any source, in chunks, up to a limit, and what was cut.

No silent caps: when ``limit`` (or a sheet's capacity) cuts rows, the file's last row says
so in English and Vietnamese (:attr:`Truncation.notice`), and the caller gets the
:class:`Truncation` to put in a response header too.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:  # pyarrow (and NumPy) cost 0.2 s to import; only the annotation needs it
    import pyarrow as pa

Source = pl.DataFrame | pl.LazyFrame | Iterable[pl.DataFrame]

TRUNCATION_MARK = "# TRUNCATED"
CHUNK_ROWS = 10_000


@dataclass(frozen=True, slots=True)
class Truncation:
    """``rows`` of ``total`` rows were written; the file ends with :attr:`notice`."""

    rows: int
    total: int

    @property
    def notice(self) -> str:
        return (
            f"{TRUNCATION_MARK}: {self.rows} of {self.total} rows; narrow the query or use "
            f"pagination. / ĐÃ CẮT BỚT: chỉ có {self.rows} trên {self.total} dòng; hãy thu hẹp "
            "truy vấn hoặc dùng phân trang."
        )

    def http_headers(self) -> dict[str, str]:
        """Suggested response headers (the API layer owns the names)."""
        return {
            "X-Export-Truncated": "true",
            "X-Export-Rows": str(self.rows),
            "X-Total-Count": str(self.total),
        }


def truncation_for(total: int, limit: int | None) -> Truncation | None:
    """The truncation a query of ``total`` rows will get, known before streaming starts."""
    return Truncation(limit, total) if limit is not None and total > limit else None


@dataclass(frozen=True, slots=True)
class ExportResult:
    rows: int
    truncation: Truncation | None


def _frames(source: Source, chunk_rows: int) -> Generator[pl.DataFrame]:
    if isinstance(source, pl.LazyFrame):
        batches: Iterable[pl.DataFrame] = source.collect_batches(chunk_size=chunk_rows)
    elif isinstance(source, pl.DataFrame):
        batches = (source,)
    else:
        batches = source
    iterator = iter(batches)
    try:
        for frame in iterator:
            yield from frame.iter_slices(chunk_rows)
    finally:  # a cut export stops early: let the source release its query result
        close = getattr(iterator, "close", None)
        if close is not None:
            close()


def arrow_frames(reader: pa.RecordBatchReader) -> Iterator[pl.DataFrame]:
    """Frames from an Arrow reader (e.g. DuckDB's ``relation.to_arrow_reader(50_000)``),
    closing the reader when the export ends or stops early, so the connection is free."""
    with reader:
        for batch in reader:
            frame = pl.from_arrow(batch)
            assert isinstance(frame, pl.DataFrame)
            yield frame


class LimitedRows:
    """The source's rows up to ``limit``, in chunks; :attr:`truncation` is set once consumed
    (or at once when ``total`` already shows the cut)."""

    def __init__(self, source: Source, limit: int | None, total: int | None, chunk_rows: int):
        if limit is not None and limit < 0:
            raise ValueError("limit must be >= 0")
        self._source, self._limit, self._total = source, limit, total
        self._chunk_rows = chunk_rows
        self.rows = 0
        self.truncation = truncation_for(total, limit) if total is not None else None

    def __iter__(self) -> Generator[pl.DataFrame]:
        with closing(_frames(self._source, self._chunk_rows)) as frames:
            yield from self._limited(frames)

    def _limited(self, frames: Iterator[pl.DataFrame]) -> Iterator[pl.DataFrame]:
        limit = self._limit
        for frame in frames:
            if limit is not None and self.rows + frame.height > limit:
                keep = limit - self.rows
                if keep:
                    self.rows += keep
                    yield frame.head(keep)
                total = self._total
                if total is None or total <= limit:  # count what was left (no writing)
                    total = self.rows + frame.height - keep + sum(f.height for f in frames)
                self.truncation = Truncation(self.rows, total)
                return
            self.rows += frame.height
            yield frame
        self.truncation = None
