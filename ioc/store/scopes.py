"""Unit scopes: which units an analyst, operator or display account may see."""

from __future__ import annotations

from collections.abc import Iterable

from ioc.store.errors import InvalidInput
from ioc.store.models import SCOPABLE_ROLES, SCOPED_ROLES, Role, Scheme

#: Code lengths per scheme: province 2, old district 3 (legacy only), commune 5.
CODE_LENGTHS = {Scheme.LEGACY: (2, 3, 5), Scheme.NEW: (2, 5)}

Unit = tuple[str, str]  # (scheme, unit_code)


def check_unit(scheme: str, code: str) -> Unit:
    """Validate one scope's form (existence is the caller's business) and normalise it."""
    try:
        known = Scheme(scheme.strip())
    except ValueError:
        raise InvalidInput(f"unknown unit scheme {scheme!r}: use 'legacy' or '2025'") from None
    code = code.strip()
    if not code.isascii() or not code.isdigit() or len(code) not in CODE_LENGTHS[known]:
        lengths = "/".join(str(n) for n in CODE_LENGTHS[known])
        raise InvalidInput(f"bad {known.value} unit code {code!r}: {lengths} digits expected")
    return known.value, code


def parse_unit(text: str) -> Unit:
    """``'legacy:945'`` or ``'2025:92'`` → ``(scheme, code)``."""
    scheme, sep, code = text.partition(":")
    if not sep:
        raise InvalidInput(f"unit {text!r} must be SCHEME:CODE, e.g. legacy:94 or 2025:92")
    return check_unit(scheme, code)


def check_units(role: str, units: Iterable[Unit]) -> list[Unit]:
    """The distinct, validated scopes of an account with this role."""
    checked = sorted(
        {check_unit(scheme, code) for scheme, code in units},
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
