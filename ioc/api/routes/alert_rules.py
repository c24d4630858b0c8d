"""Alert rules (docs/alerts.md, "Rules"): the catalog's, read-only, and the ones admins (
anywhere) and operators (within their units, ``units`` required) add, change and delete.

A rule's body is checked as :class:`ioc.alerts.rules.RuleSpec`: a wrong type or an unknown
field by FastAPI, the checks across fields (an unknown indicator, a level its scheme does
not have) here; either way a 422 names the field and nothing is stored."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response
from fastapi import Path as PathParam
from pydantic import ValidationError

from ioc.alerts.rules import KEY, RuleSpec, RuleUnit
from ioc.api.deps import store_session
from ioc.api.errors import ApiError
from ioc.api.principal import Principal
from ioc.api.routes.alert_deps import (
    Readers,
    RuleWriters,
    SmallBody,
    alert_problem,
    alert_text,
    audit,
    problem,
)
from ioc.api.routes.alert_models import RuleIn, RuleOut, RulePatch
from ioc.api.scope import require_in_scope
from ioc.store import alert_config as config
from ioc.store.alerts import AlertError
from ioc.store.audit import Action

router = APIRouter(prefix="/alerts/rules", tags=["alerts"])
UNIT_FIELDS = frozenset(RuleUnit.model_fields)
RuleKey = Annotated[str, PathParam(pattern=KEY.pattern, max_length=60)]


def spec_of(data: dict[str, Any]) -> RuleSpec:
    """``data`` as a rule; 422 naming the field at fault otherwise."""
    try:
        return RuleSpec.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, dict[str, str]] = {}
        for error in exc.errors():
            loc = error["loc"]  # a field, then list indexes and a unit's fields, or a union's arm
            kept = loc[:1] + tuple(p for p in loc[1:] if isinstance(p, int) or p in UNIT_FIELDS)
            field = ".".join(str(p) for p in kept)
            reason = str(error["msg"]).removeprefix("Value error, ")
            head, sep, rest = reason.partition(": ")
            if not field and sep and head in RuleSpec.model_fields:
                field, reason = head, rest
            errors.setdefault(field, {"parameter": field, "in": "body", "reason": reason})
        raise invalid(list(errors.values())) from None


def invalid(errors: list[dict[str, str]]) -> ApiError:
    """422 naming the first field at fault (``errors``: each one and why)."""
    params = {"field": errors[0]["parameter"], "reason": errors[0]["reason"]}
    return ApiError(
        422,
        "invalid_parameter",
        alert_text("alert_rule_invalid", "vi", params),
        alert_text("alert_rule_invalid", "en", params),
        errors=errors,
    )


def require_units(request: Request, who: Principal, units: Iterable[RuleUnit]) -> None:
    """An operator's rule names units, each within the operator's scopes (403 otherwise)."""
    if who.role == "admin":
        return
    units = list(units)
    if not units:
        raise problem("alert_rule_units", 403)
    settings = request.app.state.settings
    with request.app.state.snapshot.cursor() as (_, cur):
        for unit in units:
            require_in_scope(cur, settings, who, unit.scheme, unit.code)


def _out(row: Any) -> RuleOut:
    return RuleOut.model_validate(
        config.rule_spec(row)
        | {
            "source": "store",
            "created_by": row.created_by,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
        }
    )


@router.get("", summary="Every rule: the catalog's (read-only) and the stored ones")
def list_rules(request: Request, who: Readers) -> list[RuleOut]:
    with store_session(request) as session:
        rows = config.list_rules(session)
    return [RuleOut.model_validate(r) for r in rows]


@router.post(
    "", summary="Add a rule", status_code=201, dependencies=[SmallBody], response_model=RuleOut
)
def add_rule(request: Request, who: RuleWriters, body: Annotated[RuleIn, Body()]) -> Any:
    spec = spec_of(body.model_dump())
    require_units(request, who, spec.units)
    settings = request.app.state.settings
    with store_session(request) as session:
        try:
            row = config.add_rule(session, spec, who.username, settings)
        except AlertError as exc:
            raise alert_problem(exc) from exc
        out = _out(row)
    audit(request, Action.ALERT_RULE_ADD, who, {"key": spec.key})
    return out


@router.patch(
    "/{key}", summary="Change a stored rule", dependencies=[SmallBody], response_model=RuleOut
)
def change_rule(
    request: Request,
    who: RuleWriters,
    key: RuleKey,
    body: Annotated[RulePatch, Body()],
) -> Any:
    changes = body.model_dump(exclude_unset=True)
    with store_session(request) as session:
        try:
            row = config.get_rule(session, key)
        except AlertError as exc:
            raise alert_problem(exc) from exc
        before = spec_of(config.rule_spec(row))
        require_units(request, who, before.units)
        spec = spec_of({**before.model_dump(), **changes})
        require_units(request, who, spec.units)
        out = _out(config.change_rule(session, row, spec))
    audit(request, Action.ALERT_RULE_CHANGE, who, {"key": key, "fields": sorted(changes)})
    return out


@router.delete("/{key}", summary="Delete a stored rule", status_code=204)
def delete_rule(request: Request, who: RuleWriters, key: RuleKey) -> Response:
    with store_session(request) as session:
        try:
            row = config.get_rule(session, key)
        except AlertError as exc:
            raise alert_problem(exc) from exc
        require_units(request, who, spec_of(config.rule_spec(row)).units)
        config.delete_rule(session, row)
    audit(request, Action.ALERT_RULE_DELETE, who, {"key": key})
    return Response(status_code=204)
