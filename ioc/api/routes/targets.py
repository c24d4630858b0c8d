"""The Department's targets: read (everyone signed in), set (operators within their units)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Request
from pydantic import BaseModel, Field

from ioc import db
from ioc.api.deps import CursorDep, PrincipalDep, SettingsDep, client_ip, require
from ioc.api.listing import Format, respond
from ioc.api.params import UNIT_PATTERN, UNIT_TEXT
from ioc.api.principal import Principal
from ioc.api.routes.jobs import job_problem
from ioc.api.scope import allowed_units, filter_units, require_in_scope
from ioc.catalog.definitions import load_catalog
from ioc.domain.period import SCHOOL_YEAR_PATTERN
from ioc.jobs import targets as targets_job
from ioc.views.units import find_unit

router = APIRouter(prefix="/targets", tags=["targets"])


MAX_TARGETS = 10_000  # targets in one request
INDICATORS = f"^({'|'.join(i.id for i in load_catalog().indicators)})$"


class Target(BaseModel):
    indicator_id: str = Field(pattern=INDICATORS, max_length=64, description="Indicator id")
    scheme: Literal["legacy", "2025"]
    unit_code: str = Field(pattern=UNIT_PATTERN, max_length=5, description=UNIT_TEXT)
    school_year: str = Field(
        pattern=SCHOOL_YEAR_PATTERN, max_length=9, description="e.g. 2026-2027"
    )
    target_value: float = Field(ge=-1e12, le=1e12, allow_inf_nan=False)


@router.get("", summary="Targets in force")
def list_targets(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: PrincipalDep,
    format: Format = "json",
) -> Any:
    rows = db.query(cur, "queries/targets", settings)
    rows = filter_units(rows, allowed_units(cur, settings, who))
    return respond(request, rows, "targets", format)


@router.put(
    "",
    summary="Set targets (all or none); statuses are recomputed",
    description="Stored and recomputed by a `targets` job, run at once and waited for.",
)
def set_targets(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: Annotated[Principal, Depends(require("admin", "operator"))],
    targets: Annotated[list[Target], Body(min_length=1, max_length=MAX_TARGETS)],
) -> dict[str, Any]:
    for t in targets:
        find_unit(cur, settings, t.unit_code, t.scheme)  # 404 for a unit that does not exist
        require_in_scope(cur, settings, who, t.scheme, t.unit_code)
    rows = [t.model_dump() for t in targets]
    job = request.app.state.jobs.run_now("targets", who.username, targets_job.request(rows, "api"))
    if job.problem is not None:
        raise job_problem(job.problem)
    count = job.result["saved"]
    request.app.state.auth.audit_event(
        "target_set",
        who.username,
        f"{count} target(s): "
        + ", ".join(
            f"{t.indicator_id} {t.scheme}:{t.unit_code} {t.school_year}={t.target_value}"
            for t in targets[:20]
        ),
        client_ip(request),
    )
    return {"saved": count}
