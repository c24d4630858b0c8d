"""The default views of a newly opened build, computed in a background thread before anyone
asks, so that the first dashboard or wall screen to open does not wait for them.

For each period of the newest school years (in the scheme in force then): the indicators of
every province and of every old district, and every school with the default indicator of a
school list; and every province's series in both schemes. Anything else is computed on first
request (then kept for the build). A newer build stops the warm-up of an older one."""

from __future__ import annotations

import gc
import logging
import threading
import time

import duckdb

from ioc.api.cache import BuildCache
from ioc.api.snapshot import Build
from ioc.api.views import (
    DEFAULT_INDICATOR,
    level_batch,
    period_schools,
    periods,
    series_batch,
    units,
)
from ioc.config import Settings
from ioc.domain.period import Period
from ioc.domain.units import Unit

log = logging.getLogger("ioc.api")
SCHOOL_YEARS = 2  # the newest school years warmed


def start(
    cache: BuildCache, settings: Settings, build: Build, conn: duckdb.DuckDBPyConnection
) -> None:
    """Warm the cache for a build just opened, in a daemon thread with a cursor of its own."""
    cur = conn.cursor()
    threading.Thread(
        target=_warm, args=(cache, settings, build, cur), name="ioc-warm", daemon=True
    ).start()


def _warm(
    cache: BuildCache, settings: Settings, build: Build, cur: duckdb.DuckDBPyConnection
) -> None:
    get = cache.getter(build.build_id)
    started = time.perf_counter()
    try:
        newest = [Period.parse(p) for p in get(*periods(cur, settings))]
        get(*units(cur, settings))
        years = list(dict.fromkeys(p.school_year for p in newest))[:SCHOOL_YEARS]
        steps = []
        for period in newest:
            if period.school_year not in years:
                continue
            scheme = period.scheme
            year, term = period.school_year, period.term
            for level in ("province", "district") if scheme == "legacy" else ("province",):
                steps.append(
                    level_batch(
                        cur,
                        settings,
                        scheme=scheme,
                        level=level,
                        province=None,
                        school_year=year,
                        term=term,
                    )
                )
            steps.append(
                period_schools(
                    get, cur, settings, indicator=DEFAULT_INDICATOR, school_year=year, term=term
                )
            )
        for scheme in ("legacy", "2025"):
            steps.append(series_batch(cur, settings, Unit(scheme, "province", "", "")))
        for step in steps:
            if cache.build != build.build_id:
                return  # a newer build is open
            get(*step)
        log.info("build %s warmed in %.1f s", build.build_id, time.perf_counter() - started)
    except Exception:  # a failed warm-up only means first requests compute it themselves
        log.exception("warming build %s failed", build.build_id)
    finally:
        cur.close()
        # What exists now (modules, catalog, the caches' frames and indexes) lives as long as
        # the process: out of the collector's sight, a full collection scans only what came
        # after, instead of stopping every request for a few hundred milliseconds.
        gc.freeze()
