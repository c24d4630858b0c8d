"""Issue 18: the alerts page with 10,000 open alerts (``GET /api/v1/alerts``, first page,
JSON) over a province's communes (old Sóc Trăng, 94), each alert with its units in both
schemes. Signed in as an analyst scoped to the province (the scope joined in SQL) and as a
leader (every alert): p50 and p95 of 50 requests each, target p95 <= 300 ms."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import httpx
import polars as pl
from sqlalchemy import insert

from tests.bench.measure import fresh_data_dir, size
from tests.bench.server import Server

if TYPE_CHECKING:
    from pathlib import Path

    from tests.bench.targets import Context, Outcome

ALERTS = 10_000
REQUESTS = 50
P95_LIMIT_MS = 300.0
PROVINCE = "94"
RULES = ("norm_commune_key", "missing_returns_commune", "change_commune")
SEVERITIES = ("info", "warning", "critical")
ITEMS = ("NET_CLASS_SIZE", "STF_TEACHER_SHORTFALL", "WSH_CLEAN_WATER_PCT")


def seed(data_dir: Path) -> dict[str, str]:
    """The store with ALERTS open alerts and two accounts; their bearer tokens."""
    from ioc import store
    from ioc.alerts.condition import open_key
    from ioc.config import Settings
    from ioc.geo import admin
    from ioc.store.alert_models import Alert, AlertUnit

    settings = Settings(data_dir=data_dir)
    store.migrate(settings)
    communes = admin.units().filter(
        (pl.col("scheme") == "legacy")
        & (pl.col("level") == "commune")
        & (pl.col("province_code") == PROVINCE)
    )
    places = communes.select("code", "district_code", "name").rows()
    now = datetime.now(UTC)
    alerts, units = [], []
    for n in range(ALERTS):
        code, district, name = places[n % len(places)]
        rule, item = RULES[n % len(RULES)], f"{ITEMS[n % len(ITEMS)]}_{n // len(places)}"
        key = open_key(rule, "unit", code, item)
        opened = now - timedelta(minutes=n)
        alerts.append(
            {
                "id": n + 1,
                "key": key,
                "open_key": key,
                "rule_key": rule,
                "kind": "indicator_norm",
                "severity": SEVERITIES[n % 3],
                "state": "open" if n % 4 else "acknowledged",
                "subject_kind": "unit",
                "subject_code": code,
                "subject_name": name,
                "scheme": "legacy",
                "unit_code": code,
                "item": item,
                "value": 40.0 + n % 10,
                "threshold": 0.1,
                "detail": {"vi": f"{name}: chưa đạt", "en": f"{name}: misses"},
                "seen": 1,
                "first_seen_at": opened,
                "last_seen_at": now,
                "opened_at": opened,
            }
        )
        for scheme, unit in (
            ("legacy", PROVINCE),
            ("legacy", district),
            ("legacy", code),
            ("2025", "92"),
        ):
            units.append({"alert_id": n + 1, "scheme": scheme, "unit_code": unit})
    engine = store.make_engine(settings)
    tokens = {}
    try:
        with store.open_session(engine) as session:
            session.execute(insert(Alert), alerts)
            session.execute(insert(AlertUnit), units)
            session.commit()
            for name, role, scopes in (
                ("bench-analyst", "analyst", [("legacy", PROVINCE)]),
                ("bench-leader", "leader", []),
            ):
                store.create_user(session, name, "bench-password-2025!", role, units=scopes)
                tokens[role], _ = store.create_token(session, name, "bench")
    finally:
        engine.dispose()
    return tokens


def _timed(client: httpx.Client, token: str) -> tuple[list[float], int]:
    """Milliseconds of REQUESTS first pages (after 5 untimed), and the total they report."""
    headers = {"Authorization": f"Bearer {token}"}
    total = 0
    for _ in range(5):
        total = client.get("/api/v1/alerts", headers=headers).raise_for_status().json()["total"]
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        client.get("/api/v1/alerts", headers=headers).raise_for_status()
        times.append((time.perf_counter() - started) * 1000)
    return times, total


def alerts_page(ctx: Context) -> Outcome:
    from tests.bench.targets import IOC, Figure, Outcome

    figures: list[Figure] = []
    with fresh_data_dir(ctx.keep) as data_dir:
        started = time.perf_counter()
        tokens = seed(data_dir)
        ctx.log(f"{ALERTS:,} open alerts seeded in {time.perf_counter() - started:.1f} s")
        with (
            Server(IOC, data_dir) as server,
            httpx.Client(base_url=server.base_url, timeout=60) as client,
        ):
            for role in ("analyst", "leader"):
                times, total = _timed(client, tokens[role])
                p50 = statistics.median(times)
                p95 = statistics.quantiles(times, n=20)[-1]
                ctx.log(f"  {role}: {total:,} alerts, p50 {p50:.1f} ms, p95 {p95:.1f} ms")
                figures += [
                    Figure(f"{role} p50", p50, "ms"),
                    Figure(f"{role} p95", p95, "ms", P95_LIMIT_MS),
                    Figure(f"{role} alerts", total, "n", ALERTS, at_least=True),
                ]
            peak = max((s.rss for s in server.samples), default=None)
            if peak is not None:
                ctx.log(f"  server peak RSS {size(peak)}")
                figures.append(Figure("server peak RSS", peak, "bytes"))
    return Outcome(figures)
