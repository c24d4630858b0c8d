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
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from ingest.runner import ingest, record_failure
from ingest.targets import TargetRow, save_targets
from ioc import db
from ioc.config import Settings

PROGRESS = "progress.json"  # in the job's working directory


def run(request: dict[str, Any]) -> dict[str, Any]:
    settings = Settings(**request["settings"])
    do = request.get("do", "ingest")
    if do == "targets":
        rows = [TargetRow(**row) for row in request["rows"]]
        try:
            saved = save_targets(rows, settings, set_by=request["set_by"], source=request["source"])
        except db.DataError as exc:
            return {"invalid": str(exc), "code": exc.code, "vi": exc.vi}
        return {"saved": saved}
    paths = [Path(p) for p in request["paths"]]
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
        progress=lambda name, stage: _progress(names, name, stage),
        period=period,
        strict=strict,
    )
    return {"reports": [dataclasses.asdict(r) for r in reports]}


def _progress(names: list[str], name: str, stage: str) -> None:
    """Say how far the ingest is: files done before this one, and its stage."""
    done = names.index(name) if name in names else len(names)
    text = json.dumps({"done": done, "total": len(names), "stage": stage.split()[0]})
    fresh = Path(f"{PROGRESS}.tmp")
    fresh.write_text(text, encoding="utf-8")
    fresh.replace(PROGRESS)


def main() -> None:
    answer = run(json.load(sys.stdin))
    sys.stdout.write(json.dumps(answer) + "\n")


if __name__ == "__main__":
    main()
