"""Vietnamese number formats: 256.347 (thousands '.'), 87,5 (decimal ',')."""

from __future__ import annotations


def vn_number(value: float | None, decimals: int = 0) -> str:
    if value is None:
        return "—"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def vn_value(value: float | None) -> str:
    """A measured value: whole numbers as such, others with up to 2 decimals."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return vn_number(value)
    return vn_number(value, 2 if abs(value) < 10 else 1)
