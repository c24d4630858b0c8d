"""``data-*`` attributes of a Dash HTML component, the one way pages write them.

Dash accepts them as keyword arguments named with a hyphen (``data-value``), which Python
spells only by unpacking a dict; this builds that dict from plain keywords."""

from __future__ import annotations

from typing import Any


def data_attrs(**values: object) -> dict[str, Any]:
    """``data_attrs(value=1.5, run=3)`` -> ``{"data-value": 1.5, "data-run": 3}``, to unpack
    (``**data_attrs(...)``) into a component."""
    return {f"data-{name}": value for name, value in values.items()}
