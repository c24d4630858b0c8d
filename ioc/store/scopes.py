"""Unit scopes: which units an analyst, operator or display account may see."""

from __future__ import annotations

from collections.abc import Iterable

from ioc.domain.units import UnitCodeError, code_lengths, is_code, scheme_of
from ioc.store.errors import InvalidInput
from ioc.store.models import SCOPABLE_ROLES, SCOPED_ROLES, Role

Unit = tuple[str, str]  # (scheme, unit_code)


def well_formed_unit(scheme: str, code: str) -> Unit:
    """One scope, spaces trimmed, if it has the form of a unit of its scheme (the code rules
    of :mod:`ioc.domain.units`; whether it exists is the caller's business)."""
    try:
        known = scheme_of(scheme)
    except UnitCodeError as exc:
        raise InvalidInput(str(exc)) from None
    code = code.strip()
    if not is_code(code, known):
        lengths = "/".join(str(n) for n in code_lengths(known))
        raise InvalidInput(f"bad {known} unit code {code!r}: {lengths} digits expected")
    return known, code


def parse_unit(text: str) -> Unit:
    """``'legacy:945'`` or ``'2025:92'`` → ``(scheme, code)``."""
    scheme, sep, code = text.partition(":")
    if not sep:
        raise InvalidInput(f"unit {text!r} must be SCHEME:CODE, e.g. legacy:94 or 2025:92")
    return well_formed_unit(scheme, code)


def check_units(role: str, units: Iterable[Unit]) -> list[Unit]:
    """The distinct, validated scopes of an account with this role."""
    checked = sorted(
        {well_formed_unit(scheme, code) for scheme, code in units},
        key=lambda unit: (unit[0], len(unit[1]), unit[1]),  # provinces, districts, communes
    )
    if checked and role not in SCOPABLE_ROLES:
        raise InvalidInput(f"a {role} reads every unit and takes no unit scope")
    if not checked and role in SCOPED_ROLES:
        raise InvalidInput(f"a {role} needs at least one unit (a province, district or commune)")
    return checked


def check_role(role: str) -> str:
    try:
        return Role(role.strip().lower()).value
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise InvalidInput(f"unknown role {role!r}: one of {roles}") from None
