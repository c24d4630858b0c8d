"""Health, periods and the indicator catalog."""

from __future__ import annotations

from importlib import metadata
from typing import Any

from fastapi import APIRouter, Request, Response

from ioc import db
from ioc.api.deps import CursorDep, PrincipalDep, SettingsDep, SnapshotDep
from ioc.api.errors import RETRY_AFTER_SECONDS
from ioc.catalog import load_contract
from ioc.catalog.definitions import load_catalog
from ioc.domain.period import Period

router = APIRouter(tags=["meta"])
VERSIONS = {name: metadata.version(name) for name in ("ioc-edu", "duckdb", "polars", "fastapi")}


@router.get(
    "/health",
    summary="Service health: this process, its build and lag, the store, the data as-of time "
    "and the display time zone (no sign-in)",
)
async def health(
    request: Request, response: Response, snapshot: SnapshotDep, settings: SettingsDep
) -> dict[str, Any]:
    """``status``: ``ok``, ``no_data`` or (with a 503) ``store_unavailable``."""
    build = request.state.build = snapshot.current()  # the request log names it
    published, lag = snapshot.freshness()
    status = "ok" if build else "no_data"
    if not await request.app.state.store_probe.reachable():
        status = "store_unavailable"
        response.status_code = 503
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return {
        "status": status,
        "build_id": build.build_id if build else None,
        "data_as_of": build.built_at.isoformat() if build else None,
        # runs that loaded nothing are recorded without a new build: watchers of failed runs
        # (the wall) look at this too
        "last_run_id": snapshot.last_run(),
        # the zone every client shows times in (IOC_DISPLAY_TIMEZONE)
        "display_timezone": settings.display_timezone,
        "versions": VERSIONS,
        # which process answered (instance, pid), whether it runs the schedules (docs/scale.md)
        **request.app.state.presence.status(),
        # the newest build in the data directory, and how long it has waited for this process
        "published_build_id": published,
        "lag_seconds": round(lag, 3),
    }


@router.get("/periods", summary="Periods with returns, newest first")
def periods(cur: CursorDep, settings: SettingsDep, _: PrincipalDep) -> list[dict[str, Any]]:
    rows = db.query(cur, "queries/periods", settings)
    return [
        {**r, "period": str(Period.of(r["school_year"], r["term"]))}
        for r in rows.drop("period_order").to_dicts()
    ]


@router.get("/catalog/indicators", summary="Indicator definitions with their norms")
def catalog(_: PrincipalDep) -> dict[str, Any]:
    cat = load_catalog()
    return {
        "families": [f.model_dump() for f in cat.families],
        "indicators": [i.model_dump(mode="json") for i in cat.indicators],
        "norms": [n.model_dump(mode="json") for n in cat.norms.norms],
        # labels of the return fields that numerators and denominators name
        "fields": [{"name": f.name, "vi": f.vi, "en": f.en} for f in load_contract().fields],
    }


@router.get(
    "/catalog/fields",
    summary="Fields of the school return with their Vietnamese and English labels",
)
def fields(_: PrincipalDep) -> dict[str, Any]:
    contract = load_contract()
    return {
        "groups": [{"id": k, "vi": v.vi, "en": v.en} for k, v in contract.groups.items()],
        "fields": [
            {"name": f.name, "vi": f.vi, "en": f.en, "type": f.type, "group": f.group}
            for f in contract.fields
        ],
    }
