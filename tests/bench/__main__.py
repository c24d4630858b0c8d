"""``python -m tests.bench [target...]``: measure and print; never fails on a timing."""

from __future__ import annotations

import argparse
import sys
import time
import traceback

from tests.bench.machine import header_lines
from tests.bench.targets import TARGETS, Context, Outcome, Target


def _log(text: str) -> None:
    print(text, flush=True)


def _parse(argv: list[str]) -> argparse.Namespace:
    names = [t.name for t in TARGETS]
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench",
        description="Measure the performance targets of the issues and print the figures.",
    )
    parser.add_argument("targets", nargs="*", metavar="TARGET", help=f"any of: {', '.join(names)}")
    parser.add_argument("--list", action="store_true", help="list the targets and exit")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run the measured commands under cProfile (slower); api_load: py-spy per kind",
    )
    parser.add_argument("--keep", action="store_true", help="keep the data directories of the runs")
    parser.add_argument(
        "--duration",
        type=float,
        default=None,
        metavar="S",
        help="api_load: measured seconds of each load (default 60); "
        "wall_soak: seconds of the soak (default 600)",
    )
    parser.add_argument(
        "--clients",
        type=int,
        default=32,
        metavar="N",
        help="api_load: concurrent clients (default 32)",
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=5.0,
        metavar="S",
        help="api_load: seconds of load before measuring (default 5)",
    )
    parser.add_argument(
        "--http-client",
        choices=("raw", "httpx"),
        default="raw",
        help="api_load: the load's HTTP client (default raw: a lean asyncio HTTP/1.1 client)",
    )
    args = parser.parse_args(argv)
    unknown = [n for n in args.targets if n not in names]
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}; choose from {', '.join(names)}")
    return args


def _run(target: Target, ctx: Context) -> Outcome:
    _log(f"\n== {target.name} (issue {target.issue}): {target.summary}")
    started = time.perf_counter()
    try:
        outcome = target.run(ctx)
    except Exception:  # a broken target is reported, the others still run
        outcome = Outcome(error=traceback.format_exc(limit=8))
    if outcome.error:
        _log("  error:\n" + "\n".join(f"    {line}" for line in outcome.error.splitlines()))
    _log(f"  ({time.perf_counter() - started:.0f} s for this target)")
    return outcome


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    if args.list:
        width = max(len(t.name) for t in TARGETS)
        for t in TARGETS:
            _log(f"{t.name:<{width}}  issue {t.issue}: {t.summary}")
        return 0
    chosen = [t for t in TARGETS if not args.targets or t.name in args.targets]
    _log("IOC-EDU benchmarks (figures only; nothing here fails on a timing)")
    for line in header_lines():
        _log(line)
    if args.profile:
        _log(
            "profiling: commands run under cProfile, so timings are inflated "
            "(api_load: py-spy runs after its figures are taken)"
        )
    ctx = Context(
        keep=args.keep,
        profile=args.profile,
        log=_log,
        load_s=args.duration or 60.0,
        soak_s=args.duration or 600.0,
        load_clients=args.clients,
        load_warmup_s=args.warmup,
        load_client=args.http_client,
    )
    results = [(t, _run(t, ctx)) for t in chosen]
    _log("\n== summary")
    width = max(len(t.name) for t, _ in results)
    for target, outcome in results:
        figures = "; ".join(f.text() for f in outcome.figures) or "no figures"
        _log(f"{target.name:<{width}}  {outcome.status:<4}  {figures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
