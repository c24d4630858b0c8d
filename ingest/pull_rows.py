"""The rows of a pull before they are stored: versions compared, duplicates dropped, each
row's hash, and the drift a full pull finds (docs/pulls.md, "Watermarks and versions")."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any

import polars as pl

from ingest.pull_spool import KEY, POSITION, VERSION
from ioc.catalog import load_contract
from ioc.returns.parse import typing_exprs

HASH = "_hash"
DRIFT_EXAMPLES = 20


def version_key(version: str | None) -> tuple[int, int, str]:
    """How versions are ordered: none first, then numbers as numbers (all digits), then
    text (ISO timestamps)."""
    if version is None or version == "":
        return (0, 0, "")
    if version.isdigit():
        return (1, int(version), "")
    return (2, 0, version)


def highest(versions: Iterable[str | None]) -> str | None:
    """The highest of some versions (None when none is given)."""
    found = [v for v in versions if v not in (None, "")]
    return max(found, key=version_key) if found else None


def _keyed(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with its key's period columns as '' when blank (the registry has none)."""
    return frame.with_columns(pl.col("school_year", "term").fill_null(""))


def latest(frame: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """One row per (school, period): the highest version, the later one of equal versions
    (a row without a school code is kept: validation rejects it). The rows kept, in pull
    order, and how many were dropped."""
    columns = [frame[c].to_list() for c in (*KEY, VERSION)]
    best: dict[tuple[Any, ...], tuple[tuple[tuple[int, int, str], int], int]] = {}
    for i, (code, year, term, version) in enumerate(zip(*columns, strict=True)):
        key = (code, year or "", term or "") if code else (None, i)
        rank = (version_key(version), i)
        if key not in best or rank >= best[key][0]:
            best[key] = (rank, i)
    if len(best) == frame.height:  # no duplicate: the frame itself, not a copy of it
        return frame, 0
    keep = sorted(i for _, i in best.values())
    return frame.select(pl.all().gather(keep)), frame.height - len(keep)


def row_hashes(rows: pl.DataFrame, fields: Iterable[str]) -> list[str]:
    """The hash of each row's mapped text: SHA-256 of ``json.dumps`` of the dict of its
    non-blank fields in name order (``{"a": "x", "b": "y"}``, ``ensure_ascii=False``),
    spelled here without building a dict a row (a national pull hashes 100,000 rows)."""
    names = sorted(fields)
    quote = encode_basestring  # what json.dumps(ensure_ascii=False) quotes a str with
    keys = [f"{quote(n)}: " for n in names]
    sha = hashlib.sha256
    hashes = []
    for values in rows.select(names).iter_rows():
        pairs = ", ".join([k + quote(v) for k, v in zip(keys, values, strict=True) if v])
        hashes.append(sha(("{" + pairs + "}").encode()).hexdigest())
    return hashes


@dataclass(frozen=True)
class Split:
    """The rows of a resource against what the source gave last time."""

    hashed: pl.DataFrame  # every row, with its ``_hash``
    changed: pl.DataFrame  # rows new or different
    unchanged: int


def split(rows: pl.DataFrame, fields: list[str], previous: pl.DataFrame) -> Split:
    """Hash each row and keep those whose hash differs from ``previous`` (school_code,
    school_year, term, row_hash of ``ingest_pulled``)."""
    hashes = row_hashes(rows, fields)
    hashed = rows.with_columns(pl.Series(HASH, hashes, dtype=pl.String))
    same = _keyed(hashed).join(
        previous.select(*KEY, pl.col("row_hash").alias(HASH)), on=[*KEY, HASH], how="semi"
    )
    if same.is_empty():  # every row new or different (a first pull): no copy of them
        return Split(hashed, hashed, 0)
    changed = hashed.join(same.select(POSITION), on=POSITION, how="anti")
    return Split(hashed, changed, same.height)


def drift(rows: pl.DataFrame, previous: pl.DataFrame) -> dict[str, Any]:
    """What deltas built (``previous``, with ``_hash``-comparable ``row_hash``) against what
    a full pull found (``rows`` with ``_hash``): counts and up to 20 example keys each."""
    now = _keyed(rows).select(*KEY, HASH)
    before = previous.select(*KEY, "row_hash")
    missing = before.join(now, on=list(KEY), how="anti")
    new = now.join(before, on=list(KEY), how="anti")
    both = now.join(before, on=list(KEY), how="inner")
    different = both.filter(pl.col(HASH) != pl.col("row_hash"))

    def part(frame: pl.DataFrame) -> dict[str, Any]:
        keys = frame.sort(list(KEY)).head(DRIFT_EXAMPLES).select(KEY).rows()
        return {"count": frame.height, "examples": ["/".join(x for x in k if x) for k in keys]}

    return {
        "missing_at_source": part(missing),
        "different": part(different),
        "new_at_source": part(new),
    }


def named_schools(fetched: Iterable[pl.DataFrame]) -> list[str]:
    """The schools fetched rows name, their codes read as validation reads them: what a
    delta's session needs of the registry (a full pull names every school: it asks for all)."""
    code = typing_exprs(load_contract(), ["school_code"])[0]
    frames = [rows.select(code) for rows in fetched if "school_code" in rows]
    if not frames:
        return []
    return pl.concat(frames).to_series().drop_nulls().unique().sort().to_list()
