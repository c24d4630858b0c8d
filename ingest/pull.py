"""One pull of a source: its pages fetched from the watermark (spooled, checkpointed), rows
de-duplicated, unchanged rows set aside, the changed ones through the same runner as a file,
and the watermark written in the same writer session, so data and watermark are published
together (docs/pulls.md, "Flow of one pull"). The answer is the PullReport."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
from pydantic import SecretStr

from ingest.pull_errors import error_of
from ingest.pull_rows import HASH, drift, highest, latest, named_schools, split
from ingest.pull_spool import POSITION, VERSION, Fetched, Spool
from ingest.registry import load_schools
from ingest.run_store import FileReport, Pulled
from ingest.runner import (
    Batch,
    Reference,
    finish_session,
    ingest_batches,
    ingest_table,
    open_session,
)
from ingest.sources.base import Fetcher
from ingest.sources.http_file import fetch_file
from ingest.sources.kinds import fetcher_for
from ioc import db
from ioc.catalog import load_contract
from ioc.config import Settings
from ioc.domain.period import Period
from ioc.returns.headers import Column, Table
from ioc.sources.spec import FileMapping, SourceSpec
from ioc.sources.spec import Mapping as VendorMapping

Progress = Callable[[int, str], None]  # (pages done, stage: fetching|validating|writing)
COUNTS = ("pages", "fetched", "inserted", "replaced", "unchanged", "rejected", "tombstones")


def pull(
    spec: SourceSpec,
    secret: Mapping[str, SecretStr],
    settings: Settings,
    *,
    full: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    fetcher: Fetcher | None = None,
    workdir: Path | None = None,
) -> dict[str, Any]:
    """Pull every resource of ``spec``; the PullReport. A failure publishes nothing, keeps
    the checkpoint (the next pull resumes) and is the report's ``error``. ``workdir`` (where
    pages and the checkpoint are kept) is the current directory unless given: the job runs
    in ``data_dir/pulls/<source>/``."""
    began = time.monotonic()
    report: dict[str, Any] = {
        "source": spec.name,
        "mode": "full" if full else "delta",
        "dry_run": dry_run,
        "status": "running",
        "duration_seconds": 0.0,
        "retries": 0,
        **dict.fromkeys(COUNTS, 0),
        "duplicates": 0,
        "reject_reasons": {},
        "resources": {},
        "run_ids": [],
        "error": None,
    }
    spool = Spool(Path.cwd() if workdir is None else workdir)
    own = fetcher is None and spec.kind != "http-file"
    try:
        if spec.kind == "http-file":
            _pull_file(spec, secret, settings, report, spool.workdir, full, dry_run)
        else:
            fetcher = fetcher or fetcher_for(spec, secret, settings)
            _pull_pages(spec, settings, report, spool, fetcher, full, dry_run, progress)
        report["status"] = "succeeded"
    except Exception as exc:  # any failure is the report's error
        report["status"] = "failed"
        report["error"] = error_of(exc, spec.name)
    finally:
        if own and fetcher is not None:
            fetcher.close()
        if fetcher is not None:
            report["retries"] = max(report["retries"], fetcher.retries)
        report["duration_seconds"] = round(time.monotonic() - began, 3)
    return report


def watermarks(settings: Settings, source: str) -> dict[str, str | None]:
    """Each resource's watermark in the published snapshot ({} before the first pull)."""
    try:
        conn = db.connect_published(settings)
    except db.NoData:
        return {}
    try:
        if not db.scalar(conn, db.sql("ingest/has_pull_state", settings.sql_dir)):
            return {}
        found = db.query(conn, "ingest/pull_watermarks", settings, source=source)
    finally:
        conn.close()
    return dict(zip(found["resource"].to_list(), found["watermark"].to_list(), strict=True))


@dataclass
class _Resource:
    """One resource of a pull while it is applied."""

    name: str
    before: str | None  # its watermark
    fetched: Fetched
    report: dict[str, Any]
    run: FileReport | None = None


def _pull_pages(
    spec: SourceSpec,
    settings: Settings,
    report: dict[str, Any],
    spool: Spool,
    fetcher: Fetcher,
    full: bool,
    dry_run: bool,
    progress: Progress | None,
) -> None:
    marks = watermarks(settings, spec.name)  # a full pull asks from none, reports from it
    done = 0

    def on_page(number: int) -> None:
        if progress:
            progress(done + number, "fetching")

    resources: list[_Resource] = []
    for name in spec.resources:
        before = marks.get(name)
        fetched = spool.fetch(fetcher, name, report["mode"], None if full else before, on_page)
        done += fetched.pages
        resources.append(_Resource(name, before, fetched, {"watermark_before": before}))
    if progress:
        progress(done, "validating")
    stored = False
    units = [(u.scheme, u.code) for u in spec.units]
    named = None if full else named_schools([r.fetched.rows for r in resources])
    with db.writer(settings, new_build=lambda: stored, publish=not dry_run) as conn:
        reference = open_session(conn, settings, units, named)
        if progress:
            progress(done, "writing")
        for resource in resources:
            stored = _apply(conn, spec, resource, reference, settings, full) or stored
        runs = [r.run for r in resources if r.run is not None]
        finish_session(conn, settings, runs, baseline=reference.baseline)
    spool.clear()
    for resource in resources:
        _add(report, resource.name, resource.report)
    report["retries"] = sum(r.fetched.retries for r in resources)


def _apply(
    conn: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    resource: _Resource,
    reference: Reference,
    settings: Settings,
    full: bool,
) -> bool:
    """Store one resource's changed rows, tombstones, what was pulled and the watermark;
    whether it stored anything readers see."""
    fetched, name = resource.fetched, resource.name
    rows, duplicates = latest(fetched.rows)
    tombstones, _ = latest(fetched.tombstones)
    fields = [c for c in rows.columns if c not in (VERSION, POSITION)]
    codes = [] if full else rows["school_code"].drop_nulls().unique().to_list()
    previous = db.query(
        conn, "ingest/pulled_of", settings, source=spec.name, resource=name, all=full, schools=codes
    )
    parts = split(rows, fields, previous)
    pulled = Pulled(spec.name, spec.kind, name)
    out = resource.report | {
        "watermark_after": highest(
            [resource.before, *fetched.rows[VERSION].to_list(), *tombstones[VERSION].to_list()]
        ),
        "pages": fetched.pages,
        "resumed_after": fetched.resumed_after,
        "fetched": rows.height,
        "duplicates": duplicates,
        "unchanged": parts.unchanged,
        "inserted": 0,
        "replaced": 0,
        "rejected": 0,
        "tombstones": tombstones.height,
        "reject_reasons": {},
        "run_id": None,
        "drift": drift(parts.hashed, previous) if full else None,
    }
    resource.fetched = replace(fetched, rows=fetched.rows.clear())  # freed before the runner
    del fetched, rows
    run = None
    if parts.changed.height:
        run = _run(conn, spec, pulled, parts.changed, fields, reference, settings)
        out |= _run_counts(conn, run, parts.changed.height, settings)
        _save_pulled(conn, pulled, parts.changed, run, settings)
    now = datetime.now(UTC)
    if tombstones.height:
        frame = tombstones.select(
            pl.lit(spec.name).alias("source"),
            pl.lit(name).alias("resource"),
            pl.col("school_code"),
            pl.col("school_year").fill_null(""),
            pl.col("term").fill_null(""),
            pl.col(VERSION).alias("version"),
            pl.lit(now).alias("seen_at"),
            pl.lit(run and run.run_id, dtype=pl.Int32).alias("run_id"),
        )
        _with_frame(conn, "tombstone_rows", frame, "ingest/save_tombstones", settings)
    db.execute(
        conn,
        "ingest/save_watermark",
        settings,
        source=spec.name,
        resource=name,
        watermark=out["watermark_after"],
        run_id=run and run.run_id,
    )
    resource.report, resource.run = out, run
    return run is not None or tombstones.height > 0


def _run(
    conn: duckdb.DuckDBPyConnection,
    spec: SourceSpec,
    pulled: Pulled,
    changed: pl.DataFrame,
    fields: list[str],
    reference: Reference,
    settings: Settings,
) -> FileReport:
    """The run of a resource's changed rows: returns through the runner, the registry
    through :mod:`ingest.registry`."""
    digest = hashlib.sha256("\n".join(changed[HASH].to_list()).encode()).hexdigest()
    where = f"{spec.base_url} ({pulled.resource})"
    if pulled.resource == "schools":
        scope = reference.scope.places if reference.scope is not None else None
        return load_schools(
            conn,
            changed,
            pulled,
            source_file=where,
            sha256=digest,
            units=reference.units,
            scope=scope,
            settings=settings,
        )
    headers = _vendor_fields(spec, pulled.resource)
    # a required field the source does not give is blank in every row (validation says so)
    required = [f.name for f in load_contract().fields if f.required != "never"]
    fields = [*fields, *(f for f in required if f not in fields)]
    columns = {f: Column(i, headers.get(f, f)) for i, f in enumerate(fields)}
    blank = [pl.lit(None, dtype=pl.String).alias(f) for f in fields if f not in changed.columns]
    data = changed.with_columns(blank).select(*fields, POSITION)
    table = Table(None, columns, data, data.clear())
    return ingest_table(
        conn,
        table,
        pulled,
        source_file=where,
        sha256=digest,
        reference=reference,
        settings=settings,
    )


def _vendor_fields(spec: SourceSpec, resource: str) -> dict[str, str]:
    """The vendor's field of each contract field (what a reject's column names)."""
    if isinstance(spec.mapping, VendorMapping) and resource in spec.mapping.resources:
        return dict(spec.mapping.resources[resource].fields)
    return {}


def _run_counts(
    conn: duckdb.DuckDBPyConnection, run: FileReport, changed: int, settings: Settings
) -> dict[str, Any]:
    reasons = db.query(conn, "ingest/run_reject_reasons", settings, run_id=run.run_id)
    rejected = run.rejected if run.status != "failed" else changed
    return {
        "run_id": run.run_id,
        "inserted": run.accepted - run.replaced,
        "replaced": run.replaced,
        "rejected": rejected,
        "reject_reasons": dict(zip(reasons["rule"], reasons["rows"], strict=True))
        if run.status != "failed"
        else {run.message_code or "failed": changed},
    }


def _save_pulled(
    conn: duckdb.DuckDBPyConnection,
    pulled: Pulled,
    changed: pl.DataFrame,
    run: FileReport,
    settings: Settings,
) -> None:
    """Remember the rows the run accepted (a rejected row is tried again next time)."""
    if run.status != "loaded":
        return
    refused = db.query(conn, "ingest/run_rejected_rows", settings, run_id=run.run_id)
    kept = changed.join(refused.cast({"_row": pl.Int32}), on=POSITION, how="anti")
    frame = kept.select(
        pl.lit(pulled.source).alias("source"),
        pl.lit(pulled.resource).alias("resource"),
        pl.col("school_code"),
        pl.col("school_year").fill_null(""),
        pl.col("term").fill_null(""),
        pl.col(VERSION).alias("version"),
        pl.col(HASH).alias("row_hash"),
        pl.lit(run.run_id, dtype=pl.Int32).alias("run_id"),
        pl.lit(datetime.now(UTC)).alias("pulled_at"),
    )
    _with_frame(conn, "pulled_rows", frame, "ingest/save_pulled", settings)


def _with_frame(
    conn: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame, query: str, settings: Settings
) -> None:
    conn.register(name, frame)
    try:
        db.execute(conn, query, settings)
    finally:
        conn.unregister(name)


def _add(report: dict[str, Any], name: str, part: dict[str, Any]) -> None:
    """Add one resource's part to the report's totals."""
    report["resources"][name] = part
    for count in (*COUNTS, "duplicates"):
        report[count] += part.get(count) or 0
    for rule, rows in (part.get("reject_reasons") or {}).items():
        report["reject_reasons"][rule] = report["reject_reasons"].get(rule, 0) + rows
    if part.get("run_id") is not None:
        report["run_ids"].append(part["run_id"])


def _pull_file(
    spec: SourceSpec,
    secret: Mapping[str, SecretStr],
    settings: Settings,
    report: dict[str, Any],
    workdir: Path,
    full: bool,
    dry_run: bool,
) -> None:
    """An ``http-file`` source: a conditional GET from the file's validator (its watermark),
    then the file runner with the source's units as scope; 304 is an unchanged pull."""
    before = watermarks(settings, spec.name).get("returns")
    got = fetch_file(spec, secret, settings, None if full else before, workdir / "files")
    pulled = Pulled(spec.name, spec.kind, "returns")
    part: dict[str, Any] = {"watermark_before": before, "watermark_after": got.validator}
    part |= dict.fromkeys(COUNTS, 0) | {"pages": 1, "run_id": None, "drift": None}
    scope = [(u.scheme, u.code) for u in spec.units]

    def save(conn: duckdb.DuckDBPyConnection, reports: list[FileReport]) -> None:
        run_id = reports[0].run_id if reports else None
        db.execute(
            conn,
            "ingest/save_watermark",
            settings,
            source=spec.name,
            resource="returns",
            watermark=got.validator or before,
            run_id=run_id,
        )

    if got.unchanged:
        with db.writer(settings, new_build=lambda: False, publish=not dry_run) as conn:
            open_session(conn, settings, scope)
            save(conn, [])
        _add(report, "returns", part | {"watermark_after": before})
        return
    mapping = spec.mapping if isinstance(spec.mapping, FileMapping) else None
    period = Period.parse(mapping.period) if mapping and mapping.period else None
    assert got.path is not None  # a 200 answer is a file
    batch = Batch([got.path], period, sources=[pulled.label], pulled=pulled)
    run = ingest_batches([batch], settings=settings, scope=scope, then=save, publish=not dry_run)[0]
    part |= {
        "fetched": run.rows_read,
        "inserted": run.accepted - run.replaced,
        "replaced": run.replaced,
        "rejected": run.rejected if run.status != "failed" else run.rows_read,
        "run_id": run.run_id,
        "reject_reasons": {run.message_code: 1} if run.status == "failed" else {},
    }
    _add(report, "returns", part)
