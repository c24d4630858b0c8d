"""The Department's targets: read (everyone signed in), set (operators within their units)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from ioc import db
from ioc.api.deps import CursorDep, PrincipalDep, SettingsDep, client_ip, require
from ioc.api.listing import Format, respond
from ioc.api.principal import Principal
from ioc.api.scope import allowed_units, check_unit, filter_units

router = APIRouter(prefix="/targets", tags=["targets"])


class Target(BaseModel):
    indicator_id: str = Field(pattern=r"^[A-Z_]+$")
    scheme: Literal["legacy", "2025"]
    unit_code: str = Field(pattern=r"^\d{2,5}$")
    school_year: str = Field(pattern=r"^\d{4}-\d{4}$")
    target_value: float


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


@router.put("", summary="Set targets (all or none); statuses are recomputed")
def set_targets(
    request: Request,
    cur: CursorDep,
    settings: SettingsDep,
    who: Annotated[Principal, Depends(require("admin", "operator"))],
    targets: list[Target],
) -> dict[str, Any]:
    from ingest.targets import TargetRow, save_targets

    for t in targets:
        check_unit(cur, settings, who, t.scheme, t.unit_code)
    rows = [TargetRow(**t.model_dump()) for t in targets]
    count = save_targets(rows, settings, set_by=who.username, source="api")
    request.app.state.snapshot.published()
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
