"""Where an ingest spends its time: ``python -m tests.bench.stages FILE...``.

Runs :func:`ingest.runner.ingest` in this process (IOC_DATA_DIR from the environment) with a
progress callback that timestamps each stage the runner announces, and prints one
``seconds<TAB>stage`` line per stage. Stage names are the runner's own and mark where a stage
starts, so each line runs to the next mark; the first line is the imports and the last
stage also holds the publish (the writer's checkpoint and rename).
"""

from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

STARTED = time.perf_counter()


def main(paths: list[str]) -> int:
    from ingest.runner import ingest
    from ioc.config import get_settings

    marks: list[tuple[float, str]] = [(time.perf_counter(), "set-up: writer copy, unit tables")]

    def progress(name: str, stage: str) -> None:
        marks.append((time.perf_counter(), f"{name} {stage}".strip()))

    imported = marks[0][0]
    reports = ingest([Path(p) for p in paths], settings=get_settings(), progress=progress)
    marks.append((time.perf_counter(), "end"))
    end, last = marks[-2]
    marks[-2] = (end, f"{last} + publish (checkpoint, rename)")
    print(f"{imported - STARTED:.2f}\timports (ioc, ingest, polars, duckdb)")
    for (start, label), (end, _) in itertools.pairwise(marks):
        print(f"{end - start:.2f}\t{label}")
    print(f"{marks[-1][0] - STARTED:.2f}\ttotal in process")
    for r in reports:
        print(f"#\t{Path(r.path).name}: {r.status}, accepted {r.accepted}, rejected {r.rejected}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
