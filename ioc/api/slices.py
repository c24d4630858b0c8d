"""A cached frame with an index of the rows of each key, so that a request for one unit takes
its rows (a gather of a few hundred rows) instead of scanning a whole level or a whole
country's schools.

The indexes are made with the frame, inside the cached computation: the warm-up builds them,
and the cache holds one frame whatever the number of indexes (an index is a row number per
row, 4 bytes). The frame's text columns are kept as enums (a number per row, each text
once per frame) and given back as text: 18 periods of every old district's
indicators took 296 MB of resident memory as text, 82 MB so."""

from __future__ import annotations

import sys
from collections.abc import Hashable, Sequence

import polars as pl

Key = tuple[str, ...]  # the columns of an index


class Indexed:
    """``frame`` and, for each key (one or more columns), where its rows are: the row numbers
    ordered by key (in the frame's order within a key) and each key value's run in them."""

    def __init__(self, frame: pl.DataFrame, keys: Sequence[Key]) -> None:
        self._indexes: dict[Key, tuple[pl.Series, dict[Hashable, tuple[int, int]]]] = {}
        for key in keys:
            self._indexes[key] = _index(frame, key)
        self.frame = compact(frame)

    def rows(self, key: Key, value: Hashable) -> pl.DataFrame:
        """The rows whose ``key`` columns equal ``value`` (a tuple for several columns), in
        the frame's order; empty, with the columns, when none does."""
        return self.take(self.positions(key, value))

    def take(self, positions: pl.Series) -> pl.DataFrame:
        """The rows at ``positions``, their text columns as text."""
        return as_text(self.frame[positions])

    def whole(self) -> pl.DataFrame:
        """Every row, the text columns as text."""
        return as_text(self.frame)

    def positions(self, key: Key, value: Hashable) -> pl.Series:
        """The row numbers of :meth:`rows`, in increasing order."""
        order, spans = self._indexes[key]
        offset, length = spans.get(value, (0, 0))
        return order.slice(offset, length)

    def estimated_size(self) -> int:
        """Bytes held, for the cache's budget."""
        indexes = sum(
            int(order.estimated_size()) + sys.getsizeof(spans) * 3
            for order, spans in self._indexes.values()
        )
        return int(self.frame.estimated_size()) + indexes


def compact(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with its text columns as enums of their own values, to be kept
    (:func:`as_text` undoes). Enums, not categoricals: a categorical's texts live in one
    pool of the process, which requests answering at once then wait for."""
    texts = [
        name
        for name, dtype in frame.schema.items()
        if dtype == pl.String and frame[name].n_unique() * 2 <= frame.height
    ]  # a column of mostly distinct texts (school codes, names) saves nothing as an enum
    return frame.with_columns(
        pl.col(name).cast(pl.Enum(frame[name].drop_nulls().unique().sort())) for name in texts
    )


def as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """The enum columns of :func:`compact` back to text."""
    return frame.with_columns(pl.col(pl.Enum).cast(pl.String))


def _index(frame: pl.DataFrame, key: Key) -> tuple[pl.Series, dict[Hashable, tuple[int, int]]]:
    ordered = (
        frame.select(key).with_row_index("_row").sort(*key, maintain_order=True, nulls_last=True)
    )
    runs = ordered.group_by(*key, maintain_order=True).len(name="_n")
    values = runs.select(key).iter_rows() if len(key) > 1 else runs[key[0]].to_list()
    spans: dict[Hashable, tuple[int, int]] = {}
    offset = 0
    for value, length in zip(values, runs["_n"].to_list(), strict=True):
        spans[value] = (offset, length)
        offset += length
    return ordered["_row"], spans
