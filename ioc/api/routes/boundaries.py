"""Boundaries of child units as GeoJSON, from the files configured in ``IOC_BOUNDARIES``."""

from __future__ import annotations

import json
import logging
import threading
from typing import Annotated, Any, Literal

import polars as pl
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import Response

from ioc import db
from ioc.api.cache import cached
from ioc.api.deps import CursorDep, PrincipalDep, SettingsDep
from ioc.api.errors import ApiError
from ioc.api.params import ParentQuery
from ioc.api.scope import allowed_units, require_in_scope
from ioc.domain.units import child_level
from ioc.geo import boundaries
from ioc.views.units import find_unit

router = APIRouter(tags=["units"])
log = logging.getLogger("ioc.api")


@router.get(
    "/boundaries",
    summary="Boundaries of a unit's children (or of every province) as a GeoJSON FeatureCollection",
    response_description="GeoJSON FeatureCollection; properties scheme, level, code, name. "
    "`missing` lists the children that no configured file covers.",
)
def get_boundaries(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    scheme: Literal["legacy", "2025"],
    parent: ParentQuery = None,
    winding: Annotated[
        Literal["rfc7946", "clockwise"],
        Query(
            description="Ring orientation: RFC 7946 (exterior counter-clockwise), or clockwise "
            "as d3-geo and Plotly `geo` maps expect"
        ),
    ] = "rfc7946",
    tolerance: Annotated[
        float,
        Query(
            ge=0,
            le=0.05,
            description="Thin each ring (Douglas-Peucker) to this many degrees "
            "(0.001 is about 110 m); 0 keeps every point (rounded to 5 decimals)",
        ),
    ] = 0.0,
) -> Response:
    if parent is not None:
        unit = cached(
            request, ("unit", scheme, parent), lambda: find_unit(cur, settings, parent, scheme)
        )
        require_in_scope(cur, settings, who, scheme, parent, request)
        level = child_level(scheme, unit.level)
        if level is None:
            raise ApiError(
                404,
                "no_child_units",
                f"Đơn vị {parent} không có đơn vị trực thuộc",
                f"Unit {parent} has no child units in the {scheme} scheme",
            )
    else:
        level = "province"
    units = cached(
        request, ("boundary-units",), lambda: db.query(cur, "queries/boundary_units", settings)
    )
    children = units.filter(
        (pl.col("scheme") == scheme)
        & (pl.col("level") == level)
        & (pl.col("parent_code") == parent if parent else pl.col("parent_code").is_null())
    )
    allowed = allowed_units(cur, settings, who, request)
    if allowed is not None:
        children = children.join(
            allowed.select("scheme", "code").unique(), on=["scheme", "code"], how="semi"
        )
    codes = tuple(children["code"].to_list())
    body = cached(
        request,
        ("boundaries", scheme, level, codes, winding, tolerance),
        lambda: _collection(settings.boundaries, units, scheme, level, codes, winding, tolerance),
    )
    if body is None:
        raise ApiError(
            404,
            "no_boundaries",
            "Chưa có ranh giới cho các đơn vị này; bản đồ hiển thị điểm tại tâm đơn vị",
            "No configured boundary file covers these units; maps show points at their centres",
        )
    return Response(body, media_type="application/json")


def _collection(
    paths: list[Any],
    units: pl.DataFrame,
    scheme: str,
    level: str,
    codes: tuple[str, ...],
    winding: str,
    tolerance: float,
) -> bytes | None:
    found = boundaries.load(paths, units)
    features, missing = [], []
    for code in codes:
        shape = found.get(scheme, level, code)
        feature = shape.feature(winding == "clockwise", tolerance) if shape else None
        if feature is None:
            missing.append(code)
        else:
            features.append(feature)
    if not features:
        return None
    doc: dict[str, Any] = {"type": "FeatureCollection", "features": features, "missing": missing}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def warm(app: FastAPI) -> None:
    """Read and match the configured files in the background at start-up, so that the first
    map does not wait for them (a large TopoJSON takes seconds)."""
    settings = app.state.settings
    if not settings.boundaries:
        return

    def run() -> None:
        try:
            with app.state.snapshot.connection() as cur:
                units = db.query(cur, "queries/boundary_units", settings)
        except db.DataError:  # nothing published yet: the first map request will load them
            return
        found = boundaries.load(settings.boundaries, units)
        for error in found.errors:
            log.warning("boundary file skipped: %s", error)

    threading.Thread(target=run, name="boundaries-warm", daemon=True).start()
