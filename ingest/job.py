"""Ingest work as a job of its own process: ``python -m ingest.job``, a request as JSON on
stdin, the answer as JSON on stdout.

The job runner (:mod:`ioc.jobs.runner`) names this module and runs it through
:mod:`ioc.jobs.isolated`, with a memory and a time limit, so that reading a hostile file can
exhaust at most this process, never the server.

Requests (``"do"`` says which):

* ``ingest``: ``{"settings", "paths", "sources", "period", "strict", "scope": [[scheme,
  code], ...] | null}`` loads the files; answer ``{"reports": [FileReport, ...]}``. While it
  runs, ``progress.json`` in the working directory says ``{"done", "total", "stage"}``.
* ``failure``: the same with ``"code"`` and ``"params"`` (a ``files`` message of the
  catalog) records one failed run for ``paths[0]`` (its ingest was stopped at a limit).
* ``targets``: ``{"settings", "rows": [TargetRow, ...], "set_by", "source"}`` stores targets;
  answer ``{"saved": n}``, or ``{"invalid": "why"}`` for rows the data refuses.
* ``pull``: ``{"settings", "source": SourceSpec, "secret": {key: value}, "full", "dry_run"}``
  pulls the source (:mod:`ingest.pull`) with the working directory as its spool; answer
  ``{"pull": PullReport}``, progress as for files (``done`` = pages). The secret's values
  are never written anywhere.
* ``review_publish``: ``{"settings", "school_codes"}`` copies the store's approvals into the
  snapshot and recomputes the schools' indicators (:func:`ingest.approvals.publish_reviews`);
  answer ``{"build_id", "schools"}``.
* ``test``: ``{"settings", "source", "secret"}`` fetches and checks the first page of each
  resource, storing nothing (:mod:`ingest.pull_test`); answer ``{"test": {"ok", "checks"}}``.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from ingest.approvals import publish_reviews
from ingest.pull import pull
from ingest.pull_test import check_source
from ingest.runner import ingest, record_failure
from ingest.targets import TargetRow, save_targets
from ioc import db
from ioc.config import Settings
from ioc.sources.spec import SourceSpec

PROGRESS = "progress.json"  # in the job's working directory


def run(request: dict[str, Any], work: Path = Path()) -> dict[str, Any]:
    """The answer to ``request``; ``work`` is the job's working directory (its progress, a
    pull's spool; the files of an ingest are named relative to it)."""
    settings = Settings(**request["settings"])
    do = request.get("do", "ingest")
    if do in ("pull", "test"):
        spec = SourceSpec.model_validate(request["source"])
        secret = {k: SecretStr(str(v)) for k, v in (request.get("secret") or {}).items()}
        if do == "test":
            return {"test": check_source(spec, secret, settings)}
        pulled = pull(
            spec,
            secret,
            settings,
            full=bool(request.get("full")),
            dry_run=bool(request.get("dry_run")),
            progress=lambda done, stage: _write_progress(work, done, 0, stage),
            workdir=work.resolve(),
        )
        return {"pull": pulled}
    if do == "review_publish":
        return publish_reviews(settings, request["school_codes"])
    if do == "targets":
        rows = [TargetRow(**row) for row in request["rows"]]
        try:
            saved = save_targets(rows, settings, set_by=request["set_by"], source=request["source"])
        except db.DataError as exc:
            return {"invalid": str(exc), "code": exc.code, "vi": exc.vi}
        return {"saved": saved}
    paths = [work / p for p in request["paths"]]
    period, strict = request.get("period"), bool(request.get("strict"))
    if do == "failure":
        source = (request.get("sources") or [None])[0]
        report = record_failure(
            paths[0],
            request["code"],
            request.get("params") or {},
            source=source,
            settings=settings,
            period=period,
            strict=strict,
        )
        return {"reports": [dataclasses.asdict(report)]}
    scope = request.get("scope")
    names = [p.name for p in paths]
    reports = ingest(
        paths,
        settings=settings,
        scope=None if scope is None else [(s, c) for s, c in scope],
        sources=request.get("sources"),
        progress=lambda name, stage: _progress(work, names, name, stage),
        period=period,
        strict=strict,
    )
    return {"reports": [dataclasses.asdict(r) for r in reports]}


def _progress(work: Path, names: list[str], name: str, stage: str) -> None:
    """Say how far the ingest is: files done before this one, and its stage."""
    done = names.index(name) if name in names else len(names)
    _write_progress(work, done, len(names), stage.split()[0])


def _write_progress(work: Path, done: int, total: int, stage: str) -> None:
    text = json.dumps({"done": done, "total": total, "stage": stage})
    fresh = work / f"{PROGRESS}.tmp"
    fresh.write_text(text, encoding="utf-8")
    fresh.replace(work / PROGRESS)


def main() -> None:
    answer = run(json.load(sys.stdin))
    sys.stdout.write(json.dumps(answer) + "\n")


if __name__ == "__main__":
    main()
