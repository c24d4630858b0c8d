"""IOC-EDU as a source (issue 16): the published returns and the school registry, paged by
change version for another instance to pull (``ingest/sources/ioc_edu.py`` there).

Every record is text as a return file would hold it (counts without ``.0``, flags ``1``/``0``,
codes with their leading zeros, enums as the contract's codes), so the pulling instance reads
it through the same validation as a file; ``_version`` is the run that wrote it. Pages follow
each other by keyset (never an offset): ``next`` is the opaque cursor of the page after, null
on the last. Scoped like every read; readable by sync accounts (which read nothing else),
admins and leaders. Returns count here once approved (issue 17); until then every published
return is passed on."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from ioc import db
from ioc.api.deps import CursorDep, SettingsDep, SyncReaderDep
from ioc.api.errors import ApiError
from ioc.api.params import MAX_ID, OptionalPeriodQuery, period_of
from ioc.api.scope import schools_in_scope
from ioc.catalog import load_contract
from ioc.config import Settings
from ioc.sources.spec import REGISTRY_FIELDS

router = APIRouter(prefix="/sync", tags=["sync"])

MAX_LIMIT = 5000
#: the keyset of each resource: the columns after ``_version`` that order its records
KEYS = {"returns": ("school_code", "school_year", "term"), "schools": ("school_code",)}

SinceQuery = Annotated[
    int | None,
    Query(ge=0, le=MAX_ID, description="Only records of this version or later (inclusive)"),
]
AfterQuery = Annotated[
    str | None,
    Query(
        pattern=r"^[A-Za-z0-9_-]{1,400}$",
        max_length=400,
        description="The previous page's `next` (opaque)",
    ),
]
LimitQuery = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Records per page")]


@router.get(
    "/returns",
    summary="Published returns by change version, as text a return file would hold (sync)",
)
def sync_returns(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: SyncReaderDep,
    since: SinceQuery = None,
    after: AfterQuery = None,
    limit: LimitQuery = 1000,
    period: OptionalPeriodQuery = None,
) -> Response:
    at = period_of(period) if period else None
    frame = _page(
        request,
        cur,
        settings,
        who,
        "returns",
        since,
        after,
        limit,
        school_year=at.school_year if at else None,
        term=at.term if at else None,
        approved_only=settings.approval == "required",  # what is passed on is approved
    )
    return _answer(frame, "returns", limit, _contract_text)


@router.get("/schools", summary="The school registry by change version (sync)")
def sync_schools(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: SyncReaderDep,
    since: SinceQuery = None,
    after: AfterQuery = None,
    limit: LimitQuery = 1000,
) -> Response:
    frame = _page(request, cur, settings, who, "schools", since, after, limit)
    return _answer(frame, "schools", limit, _registry_text)


def _page(
    request: Request,
    cur: Any,
    settings: Settings,
    who: Any,
    resource: str,
    since: int | None,
    after: str | None,
    limit: int,
    **filters: str | bool | None,
) -> pl.DataFrame:
    """``limit + 1`` records from the keyset ``after`` on, of the caller's schools."""
    schools = schools_in_scope(cur, settings, who, request)
    keys = KEYS[resource]
    last = _decode(after, len(keys) + 1)
    params: dict[str, Any] = {
        "all": schools is None,
        "schools": schools or [],
        "since": since,
        "limit": limit,
        "after_version": last[0] if last else None,
        **{f"after_{key}": last[i + 1] if last else None for i, key in enumerate(keys)},
        **filters,
    }
    return db.query(cur, f"queries/sync_{resource}", settings, **params)


def _answer(frame: pl.DataFrame, resource: str, limit: int, as_text: Any) -> Response:
    """``{"items", "next", "version"}``: ``next`` from the last item when there is more."""
    more = frame.height > limit
    page = frame.head(limit)
    version = None if frame.is_empty() else int(frame["_max_version"][0])
    cursor = None
    if more:
        last = page.row(page.height - 1, named=True)
        cursor = _encode([last["_version"], *(last[k] for k in KEYS[resource])])
    items = as_text(page.drop("_max_version")).write_json()
    tail = f',"next":{json.dumps(cursor)},"version":{json.dumps(version)}}}'
    return Response(f'{{"items":{items}{tail}', media_type="application/json")


def _contract_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Every contract field as a return file holds it: whole numbers without a decimal
    part, flags 1/0, codes and enum codes as stored; the approval stamp (``approved_at`` in
    ISO 8601, ``approved_by``; null when approval is off); ``_version`` stays a number."""
    exprs = []
    for field in load_contract().fields:
        value = pl.col(field.name)
        text: pl.Expr
        if field.type == "flag":
            text = pl.when(value).then(pl.lit("1")).when(~value).then(pl.lit("0"))
        elif field.type == "decimal":
            whole = (value == value.round(0)) & (value.abs() < 1e15)
            text = (
                pl.when(whole)
                .then(value.cast(pl.Int64).cast(pl.String))
                .otherwise(value.cast(pl.String))
            )
        else:
            text = value.cast(pl.String)
        exprs.append(text.alias(field.name))
    stamp = [
        pl.col("approved_at").dt.to_string("%Y-%m-%dT%H:%M:%S%z").alias("approved_at"),
        pl.col("approved_by"),
    ]
    return frame.select(*exprs, *stamp, pl.col("_version"))


def _registry_text(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(*REGISTRY_FIELDS, "scheme", "_version")


def _encode(key: list[Any]) -> str:
    raw = json.dumps(key, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str | None, size: int) -> list[Any] | None:
    """The keyset a cursor holds (422 if it is not one of ours)."""
    if cursor is None:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        key = None
    valid = (
        isinstance(key, list)
        and len(key) == size
        and isinstance(key[0], int)
        and all(isinstance(part, str) for part in key[1:])
    )
    if not valid:
        raise ApiError(
            422,
            "invalid_parameter",
            "Con trỏ trang (after) không hợp lệ: hãy dùng giá trị `next` của trang trước",
            "Invalid page cursor (after): use the previous page's `next`",
            errors=[{"parameter": "after", "in": "query", "reason": "not a cursor of this API"}],
        )
    return key
