"""The default views of a newly opened build, computed in a background thread before anyone
asks, so that the first dashboard or wall screen to open does not wait for them.

First what the process waits for before it serves the build (:func:`start`'s event, see
:meth:`ioc.api.snapshot.Snapshot.on_prepare`): the periods and the units; for the newest
period and the periods the newest ingest run loaded (what the build most likely changed),
the indicators of every province and of every old district, and every school with the
default indicator of a school list; and every province's series in both schemes. Then,
served already, what any unit's page asks first for every unit of a level at once (the
returns not yet approved, the quality reports of those periods), and the indicators and
school lists of the other periods of the newest school years, each step only
after a pause in the requests of every worker of the server, and none in the first second
(the warm-up gives way to what users ask). Anything else
is computed on first request (then kept for the build). A build no longer kept (a newer one
is served or prepared) stops its warm-up."""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable, Iterator

import duckdb

from ioc import db
from ioc.api.cache import BuildCache, Getter, Spec
from ioc.api.snapshot import Build
from ioc.api.views import (
    DEFAULT_INDICATOR,
    counterparts,
    level_batch,
    pending,
    period_schools,
    periods,
    quality,
    school_rows,
    series_batch,
    unit_rows,
    units,
)
from ioc.config import Settings
from ioc.domain.period import Period
from ioc.domain.units import LEVELS, Scheme, Unit

log = logging.getLogger("ioc.api")
SCHOOL_YEARS = 2  # the newest school years warmed
READY = None  # among the steps: what is served first is kept
LANDED = "queries/newest_run_periods"
SCHEMES: tuple[Scheme, ...] = ("legacy", "2025")


QUIET_SECONDS = 0.25  # without a request in flight, before a step of a served build's warm-up
#: none of those steps before this long after the build is served: the first requests on a
#: new build come right after it (the pages and screens that look for one), and a step
#: started then held the cores they waited for (the national build: 70-210 ms, not 6 ms)
SETTLE_SECONDS = 1.0
Quiet = Callable[[float, float], bool]  # (pause, timeout): whether requests paused


def start(
    cache: BuildCache,
    settings: Settings,
    build: Build,
    conn: duckdb.DuckDBPyConnection,
    quiet: Quiet,
) -> threading.Event:
    """Warm the cache for a build just opened, in a daemon thread with a cursor of its own;
    the event is set once the default views are kept (or the warm-up stopped or failed).
    After that, each step waits for ``quiet(pause, timeout)``."""
    cur = conn.cursor()
    ready = threading.Event()
    cache.prepare(build.build_id)
    threading.Thread(
        target=_warm,
        args=(cache, settings, build, cur, ready, quiet),
        name="ioc-warm",
        daemon=True,
    ).start()
    return ready


def _warm(
    cache: BuildCache,
    settings: Settings,
    build: Build,
    cur: duckdb.DuckDBPyConnection,
    ready: threading.Event,
    quiet: Quiet,
) -> None:
    get = cache.getter(build.build_id)
    started = time.perf_counter()
    try:
        newest = [Period.parse(p) for p in get(*periods(cur, settings))]
        get(*units(cur, settings))
        landed = [Period.of(y, t) for y, t in db.query(cur, LANDED, settings).iter_rows()]
        years = list(dict.fromkeys(p.school_year for p in newest))[:SCHOOL_YEARS]
        first = list(dict.fromkeys([*newest[:1], *landed]))  # before the build is served
        later = [p for p in newest if p.school_year in years and p not in first]
        # every page's unit first, then the quickest: as many kinds as can be are computed
        # when the wait runs out
        steps: list[Spec | None] = [unit_rows(cur, settings), counterparts(cur, settings)]
        steps += _period_steps(get, cur, settings, first, levels=True)
        steps += _period_steps(get, cur, settings, first, levels=False)
        steps += [
            series_batch(get, cur, settings, Unit(s, "province", "", ""), DEFAULT_INDICATOR)
            for s in SCHEMES
        ]
        steps.append(READY)
        steps += [school_rows(cur, settings), *_unit_page_steps(cur, settings, first)]
        steps += [*_period_steps(get, cur, settings, later, levels=True)]
        steps += [*_period_steps(get, cur, settings, later, levels=False)]
        for step in steps:
            if not cache.keeps(build.build_id):
                return  # a newer build is served or prepared
            if step is None:  # READY
                ready.set()
                log.info(
                    "build %s: default views in %.1f s",
                    build.build_id,
                    time.perf_counter() - started,
                )
                time.sleep(SETTLE_SECONDS)  # the first requests on it come now
            else:
                while cache.build == build.build_id and not quiet(QUIET_SECONDS, 1.0):
                    if not cache.keeps(build.build_id):
                        return
                get(*step)
        log.info("build %s warmed in %.1f s", build.build_id, time.perf_counter() - started)
    except Exception:  # a failed warm-up only means first requests compute it themselves
        log.exception("warming build %s failed", build.build_id)
    finally:
        ready.set()
        cur.close()
        # What exists now (modules, catalog, the caches' frames and indexes) lives as long as
        # the process: out of the collector's sight, a full collection scans only what came
        # after, instead of stopping every request for a few hundred milliseconds.
        gc.freeze()


def _unit_page_steps(
    cur: duckdb.DuckDBPyConnection, settings: Settings, chosen: list[Period]
) -> Iterator[Spec]:
    """What the page of any unit asks first, for every unit of each level at once: the
    returns not yet approved (its series and indicators), and the quality report of each
    period chosen."""
    for scheme in SCHEMES:
        for level in LEVELS[scheme][1:]:
            yield pending(cur, settings, scheme, level)
    for period in chosen:
        for level in LEVELS[period.scheme]:
            unit = Unit(period.scheme, level, "", "")
            yield quality(cur, settings, unit, period.school_year, period.term)


def _period_steps(
    get: Getter,
    cur: duckdb.DuckDBPyConnection,
    settings: Settings,
    chosen: list[Period],
    levels: bool,
) -> Iterator[Spec]:
    """Of each period: the indicators of every province (and old district, in the old
    scheme) when ``levels``, else every school of the period with the default indicator of a
    school list."""
    for period in chosen:
        year, term = period.school_year, period.term
        if not levels:
            yield period_schools(
                get, cur, settings, indicator=DEFAULT_INDICATOR, school_year=year, term=term
            )
            continue
        for level in ("province", "district") if period.scheme == "legacy" else ("province",):
            yield level_batch(
                cur,
                settings,
                scheme=period.scheme,
                level=level,
                province=None,
                school_year=year,
                term=term,
            )
