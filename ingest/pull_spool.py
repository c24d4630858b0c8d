"""The pages of a pull kept on disk as they arrive, with a checkpoint after each one, so a
pull killed half-way resumes after its last page (docs/pulls.md, "Flow of one pull").

In the pull's working directory (``data_dir/pulls/<source>/``): ``pages/<resource>-NNNNN
.parquet`` (the page's rows, their versions, and its tombstones as rows flagged
``_deleted``) and ``checkpoint.json`` ``{resource: {"mode", "since", "pages", "resume",
"retries", "complete"}}``, written atomically. A checkpoint is used only for the same
resource, mode and starting watermark; any other is discarded with its pages."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from ingest.sources.base import Fetcher, Page

CHECKPOINT = "checkpoint.json"
PAGES = "pages"
VERSION, DELETED, POSITION = "_version", "_deleted", "_row"
KEY = ("school_code", "school_year", "term")


@dataclass
class Fetched:
    """Every page of one resource: rows (text, ``_version``, ``_row`` = position in the
    pull) and tombstones (school_code, school_year, term, ``_version``)."""

    rows: pl.DataFrame
    tombstones: pl.DataFrame
    pages: int
    retries: int  # retried requests, those of an interrupted earlier attempt included
    resumed_after: int  # pages taken from the checkpoint


class Spool:
    """The pages and checkpoint of one pull's working directory."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.pages_dir = workdir / PAGES
        self.path = workdir / CHECKPOINT

    def _read(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write(self, data: dict[str, dict[str, Any]]) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        fresh = self.path.with_suffix(".tmp")
        fresh.write_text(json.dumps(data), encoding="utf-8")
        fresh.replace(self.path)

    def _page_files(self, resource: str) -> list[Path]:
        return sorted(self.pages_dir.glob(f"{resource}-*.parquet"))

    def start(self, resource: str, mode: str, since: str | None) -> dict[str, Any]:
        """The checkpoint to go on from for this resource, mode and watermark (a fresh one,
        with the pages of any other discarded)."""
        data = self._read()
        found = data.get(resource)
        same = found and (found.get("mode"), found.get("since")) == (mode, since)
        if same and found and len(self._page_files(resource)) == found.get("pages"):
            return found
        for stale in self._page_files(resource):
            stale.unlink()
        fresh = {"mode": mode, "since": since, "pages": 0, "resume": None, "retries": 0}
        data[resource] = fresh | {"complete": False}
        self._write(data)
        return data[resource]

    def fetch(
        self,
        fetcher: Fetcher,
        resource: str,
        mode: str,
        since: str | None,
        on_page: Callable[[int], None] | None = None,
    ) -> Fetched:
        """Every page of the resource: those the checkpoint holds, then the fetcher's from
        where it stopped, each spooled and checkpointed before the next is asked for."""
        state = self.start(resource, mode, since)
        resumed, before = int(state["pages"]), int(state["retries"])
        if not state.get("complete"):
            start = fetcher.retries
            pages: Iterator[Page] = fetcher.pages(resource, since, state.get("resume"))
            for page in pages:
                number = int(state["pages"]) + 1
                self._spool(resource, number, page)
                state |= {
                    "pages": number,
                    "resume": page.resume,
                    "retries": before + fetcher.retries - start,
                    "complete": page.last,
                }
                self._save(resource, state)
                if on_page:
                    on_page(number)
                if page.last:
                    break
            state |= {"complete": True, "retries": before + fetcher.retries - start}
            self._save(resource, state)
        return self._gather(resource, int(state["pages"]), int(state["retries"]), resumed)

    def _save(self, resource: str, state: dict[str, Any]) -> None:
        data = self._read()
        data[resource] = state
        self._write(data)

    def _spool(self, resource: str, number: int, page: Page) -> None:
        rows = pl.DataFrame(page.rows, infer_schema_length=None) if page.rows else pl.DataFrame()
        rows = rows.cast(dict.fromkeys(rows.columns, pl.String)).with_columns(
            pl.Series(VERSION, page.versions, dtype=pl.String),
            pl.lit(False).alias(DELETED),
        )
        gone = pl.DataFrame(
            {
                "school_code": [t.school_code for t in page.tombstones],
                "school_year": [t.school_year for t in page.tombstones],
                "term": [t.term for t in page.tombstones],
                VERSION: [t.version for t in page.tombstones],
            },
            schema=dict.fromkeys([*KEY, VERSION], pl.String),
        ).with_columns(pl.lit(True).alias(DELETED))
        frame = pl.concat([rows, gone], how="diagonal_relaxed")
        self.pages_dir.mkdir(parents=True, exist_ok=True)
        fresh = self.pages_dir / f"{resource}-{number:05d}.tmp"
        frame.write_parquet(fresh)
        fresh.replace(self.pages_dir / f"{resource}-{number:05d}.parquet")

    def _gather(self, resource: str, pages: int, retries: int, resumed: int) -> Fetched:
        files = self._page_files(resource)
        frames = [pl.read_parquet(f) for f in files]
        every = pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()
        if DELETED not in every.columns:
            every = pl.DataFrame(schema={**dict.fromkeys([*KEY, VERSION]), DELETED: pl.Boolean})
        for name in (*KEY, VERSION):
            if name not in every.columns:
                every = every.with_columns(pl.lit(None, dtype=pl.String).alias(name))
        rows = every.filter(~pl.col(DELETED)).drop(DELETED)
        rows = rows.with_row_index(POSITION, offset=1).with_columns(pl.col(POSITION).cast(pl.Int32))
        tombstones = every.filter(pl.col(DELETED)).select(*KEY, VERSION)
        return Fetched(rows, tombstones, pages, retries, resumed)

    def clear(self) -> None:
        """Forget the pull: its pages and checkpoint (after a publish or a dry run)."""
        shutil.rmtree(self.pages_dir, ignore_errors=True)
        self.path.unlink(missing_ok=True)
