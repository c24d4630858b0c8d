"""Issue 18, "Speed": evaluating the catalog's alert rules (every level) on the national build
after a build: <= 3 s, <= 1 GB.

The build is the bench's national snapshot of ten school years with every indicator computed
(the ``indicators_full`` target's, cached), published in a fresh data directory with an empty
store. A child process (``python -m tests.bench.alerts DATA_DIR``) evaluates it as the job
``alerts`` does after a build (:func:`ioc.alerts.evaluate.evaluate`, trigger ``build``), then
once more by hand on the same build (every alert seen again: the steady state), and prints
one JSON line: the seconds of each call, its counts, and the child's peak RSS.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import json  # noqa: E402  (the imports are timed)
import resource  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

if TYPE_CHECKING:
    from tests.bench.targets import Context, Outcome

LIMIT_S = 3.0
GB = 1 << 30


def _evaluate(data_dir: str) -> dict[str, Any]:
    from sqlalchemy import text

    from ioc import db, store
    from ioc.alerts.evaluate import Trigger, evaluate
    from ioc.config import Settings

    settings = Settings(data_dir=Path(data_dir))
    imported = time.perf_counter()
    engine = store.make_engine(settings)
    store.migrate(engine)
    conn = db.connect_published(settings)
    try:
        build = db.current_build(conn)
        build_id = build[0] if build else None
        result: dict[str, Any] = {"imports_s": imported - STARTED, "build_id": build_id}
        runs: tuple[tuple[str, Trigger], ...] = (("after_build", "build"), ("again", "manual"))
        for name, trigger in runs:
            with store.open_session(engine) as session:
                started = time.perf_counter()
                outcome = evaluate(session, conn, settings, trigger=trigger, build_id=build_id)
                result[name] = {
                    "seconds": time.perf_counter() - started,
                    "rules": outcome.rules,
                    "conditions": outcome.conditions,
                    "opened": outcome.opened,
                    "recovered": outcome.recovered,
                    "events": len(outcome.event_ids),
                }
        with store.open_session(engine) as session:
            for name, column in (("alerts", "state"), ("by_rule", "rule_key")):
                query = f"SELECT {column}, count(*) FROM alerts GROUP BY 1 ORDER BY 1"
                result[name] = dict(session.execute(text(query)).tuples().all())
    finally:
        conn.close()
        engine.dispose()
    result["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return result


def alerts_eval(ctx: Context) -> Outcome:
    """The catalog's rules on the national build, in a child with a fresh store."""
    from tests.bench import national
    from tests.bench.measure import child_env, fresh_data_dir, run_child, seconds, size
    from tests.bench.targets import Figure, Outcome, _indicators_ready

    snapshot = _indicators_ready(ctx, ctx.history)
    if snapshot is None:
        return Outcome(error="no national snapshot with indicators")
    with fresh_data_dir(ctx.keep) as data_dir:
        from ioc.config import Settings

        published = Settings(data_dir=data_dir).published_db
        published.parent.mkdir(parents=True, exist_ok=True)
        published.symlink_to(snapshot)  # opened read-only
        ctx.log(f"evaluate the catalog's rules on {snapshot.relative_to(national.REPO_ROOT)}")
        run = run_child(
            [sys.executable, "-m", "tests.bench.alerts", str(data_dir)], env=child_env(data_dir)
        )
    if not run.ok:
        return Outcome(error=run.failure())
    result = json.loads(run.stdout.strip().splitlines()[-1])
    first, again = result["after_build"], result["again"]
    ctx.log(
        f"  after the build: {first['rules']} rules, {first['conditions']:,} conditions, "
        f"{first['opened']:,} opened in {seconds(first['seconds'])}; by hand again: "
        f"{again['conditions']:,} conditions, {again['opened']:,} opened in "
        f"{seconds(again['seconds'])}"
    )
    ctx.log(f"  alerts by state {result['alerts']}; by rule {result['by_rule']}")
    ctx.log(
        f"  child: wall {seconds(run.wall_s)} (imports {seconds(result['imports_s'])}), "
        f"peak RSS {size(run.peak_rss)}"
    )
    return Outcome(
        [
            Figure("evaluation after a build", first["seconds"], "s", LIMIT_S),
            Figure("peak RSS", run.peak_rss, "bytes", GB),
            Figure("conditions", first["conditions"], "n"),
            Figure("alerts opened", first["opened"], "n"),
            Figure("evaluation again (every alert held)", again["seconds"], "s"),
        ]
    )


def main(argv: list[str]) -> int:
    print(json.dumps(_evaluate(argv[0])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
