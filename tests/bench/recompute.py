"""One full indicator recompute: ``python -m tests.bench.recompute SNAPSHOT [--profile OUT]``.

Opens SNAPSHOT read-write (a copy: it is changed), calls
:func:`ioc.compute.out_tables.rebuild_indicators` with no changed schools (the whole catalog at
every level), and prints one JSON line: the seconds of just that call, the rows it wrote, the
seconds of the imports, of opening and of the checkpoint after it, and this process's peak
RSS before the call. Settings (threads, memory limit) come from the environment as in ``ioc``.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402  (the imports are timed)
import cProfile  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.recompute")
    parser.add_argument("snapshot")
    parser.add_argument("--profile", help="write a cProfile of the call to this file")
    args = parser.parse_args(argv)

    import duckdb

    from ioc import db
    from ioc.compute.out_tables import rebuild_indicators
    from ioc.config import Settings

    imported = time.perf_counter()
    settings = Settings()
    conn = duckdb.connect(args.snapshot)
    try:
        db.configure(conn, settings)  # as the product's writer
        conn.execute("set enable_progress_bar = false")
        db.apply_schema(conn, settings)
        opened = time.perf_counter()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        profiler = cProfile.Profile() if args.profile else None
        started = time.perf_counter()
        if profiler is None:
            returned = rebuild_indicators(conn, settings)
        else:
            returned = profiler.runcall(rebuild_indicators, conn, settings)
        call = time.perf_counter() - started
        if profiler is not None:
            profiler.dump_stats(args.profile)
        rows = db.scalar(conn, "select count(*) from out_indicator__sums")
        step = conn.execute(
            "select mode, seconds, row_count from meta__build_steps "
            "where step = 'indicators' order by finished_at desc limit 1"
        ).fetchall()
        started = time.perf_counter()
        conn.execute("checkpoint")
        checkpoint = time.perf_counter() - started
    finally:
        conn.close()
    print(
        json.dumps(
            {
                "seconds": call,
                "returned": returned,
                "rows": rows,
                "build_step": list(step[0]) if step else None,
                "imports_s": imported - STARTED,
                "open_s": opened - imported,
                "checkpoint_s": checkpoint,
                "rss_before": rss_before,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
