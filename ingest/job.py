"""An ingest as a job of its own process: ``python -m ingest.job``, a request as JSON on
stdin, the file reports as JSON on stdout.

The API runs each upload this way (through :mod:`ioc.jobs.isolated`, with a memory and a time
limit), so that reading a hostile file can exhaust at most this process, never the server.

Request: ``{"settings": {...}, "paths": [...], "sources": [...], "period", "strict",
"scope": [[scheme, code], ...] | null}`` loads the files; with ``"failure": "why"`` it only
records one failed run for ``paths[0]`` (its ingest was stopped at a limit). Answer:
``{"reports": [FileReport, ...]}``.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from ingest.runner import ingest, record_failure
from ioc.config import Settings


def run(request: dict[str, Any]) -> dict[str, Any]:
    settings = Settings(**request["settings"])
    paths = [Path(p) for p in request["paths"]]
    period, strict = request.get("period"), bool(request.get("strict"))
    if request.get("failure"):
        source = (request.get("sources") or [None])[0]
        reports = [
            record_failure(
                paths[0],
                request["failure"],
                source=source,
                settings=settings,
                period=period,
                strict=strict,
            )
        ]
    else:
        scope = request.get("scope")
        reports = ingest(
            paths,
            settings=settings,
            scope=None if scope is None else [(s, c) for s, c in scope],
            sources=request.get("sources"),
            period=period,
            strict=strict,
        )
    return {"reports": [dataclasses.asdict(r) for r in reports]}


def main() -> None:
    answer = run(json.load(sys.stdin))
    sys.stdout.write(json.dumps(answer) + "\n")


if __name__ == "__main__":
    main()
