"""Wall screens as data: the named screens of ``screens.yaml`` and the URL overrides.

A screen is a playlist of panels over one unit and period, with its timings (dwell,
refresh, stale threshold, retry backoff) and its burn-in care (pixel shift, night dimming).
:func:`resolve` turns the page's query string into one validated :class:`Screen`.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ioc.domain.period import Period
from ioc.domain.units import code_pattern

SCREENS_FILE = Path(__file__).with_name("screens.yaml")
PanelKind = Literal["red_now", "kpis", "map", "trends", "completeness", "exams"]
PANEL_KINDS: tuple[PanelKind, ...] = ("red_now", "kpis", "map", "trends", "completeness", "exams")
DEFAULT_INDICATORS = {
    "kpis": ("NET_STUDENTS", "NET_SCHOOLS", "NET_CLASS_SIZE", "DQ_COMPLETENESS_PCT"),
    "map": ("FAC_SOLID_CLASSROOM_PCT",),
    "trends": ("NET_STUDENTS", "NET_CLASS_SIZE"),
}
# URL overrides: name -> (field, lowest, highest) in seconds
TIMING_OVERRIDES = {
    "dwell": ("dwell_s", 1.0, 3600.0),
    "refresh": ("refresh_s", 1.0, 3600.0),
    "stale": ("stale_s", 2.0, 86400.0),
    "retry": ("retry_max_s", 1.0, 3600.0),
    "shift": ("shift_every_s", 5.0, 86400.0),
}
_CODE = re.compile(code_pattern())
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _is_period(value: str) -> bool:
    """'latest' or a period as written (2024-2025/DN)."""
    return value == "latest" or str(Period.maybe(value)) == value


class ScreenError(ValueError):
    """An unknown screen or a screens file that does not validate."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Dim(_Model):
    """Dim the screen between two local times (``level`` 0 = off, 1 = black)."""

    from_: str = Field("22:00", alias="from")
    to: str = "06:00"
    level: float = Field(0.0, ge=0.0, le=0.9)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("from_", "to")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _HHMM.match(value):
            raise ValueError("a local time as HH:MM")
        return value


class Panel(_Model):
    kind: PanelKind
    unit: str | None = Field(None, pattern=_CODE.pattern)
    scheme: Literal["legacy", "2025"] | None = None
    dwell_s: float | None = Field(None, ge=1, le=3600)
    indicators: tuple[str, ...] = ()
    rows: int = Field(6, ge=1, le=60)

    def shown_indicators(self) -> tuple[str, ...]:
        return self.indicators or DEFAULT_INDICATORS.get(self.kind, ())


class Screen(_Model):
    name: str
    title: dict[str, str] = Field(default_factory=dict)
    unit: str = Field("94", pattern=_CODE.pattern)
    scheme: Literal["legacy", "2025"] = "legacy"
    period: str = "latest"
    panels: tuple[Panel, ...] = Field(min_length=1)
    refresh_s: float = Field(60, ge=1, le=3600)
    full_every_s: float = Field(600, ge=1, le=86400)
    stale_s: float = Field(300, ge=2, le=86400)
    retry_s: float = Field(5, ge=0.5, le=3600)
    retry_max_s: float = Field(300, ge=1, le=3600)
    dwell_s: float = Field(20, ge=1, le=3600)
    shift_px: float = Field(3, ge=0, le=20)
    shift_every_s: float = Field(180, ge=5, le=86400)
    dim: Dim = Dim()
    # None: the API's display time zone (IOC_DISPLAY_TIMEZONE); set only for a screen
    # hanging where the local time differs from the Department's
    timezone: str | None = None
    failed_days: int = Field(7, ge=1, le=365)
    events: int = Field(12, ge=0, le=50)
    redraw: Literal["changes", "always"] = "changes"

    @field_validator("period")
    @classmethod
    def _period(cls, value: str) -> str:
        if not _is_period(value):
            raise ValueError(f"period {value!r} is not 'latest' nor like 2024-2025/DN")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Ho_Chi_Minh)") from exc
        return value

    def zone(self, display_zone: str) -> str:
        """The time zone the screen shows times in: its own, or the Department's."""
        return self.timezone or display_zone

    def place(self, panel: Panel) -> tuple[str, str]:
        """(scheme, unit code) a panel shows: its own, or the screen's."""
        return (panel.scheme or self.scheme, panel.unit or self.unit)

    def dwell_of(self, panel: Panel) -> float:
        return panel.dwell_s or self.dwell_s

    def title_in(self, lang: str) -> str | None:
        return self.title.get(lang) or self.title.get("vi")


class ScreensFile(_Model):
    default: str
    defaults: dict[str, Any] = Field(default_factory=dict)
    screens: dict[str, dict[str, Any]] = Field(min_length=1)


@functools.cache
def _load(path: Path, mtime: float) -> tuple[str, dict[str, Screen]]:
    del mtime  # part of the cache key: an edited file is read again at the next page load
    spec = _spec(path)
    screens: dict[str, Screen] = {}
    problems: list[str] = []
    for name, body in spec.screens.items():
        try:
            screens[name] = Screen.model_validate({**spec.defaults, **body, "name": name})
        except ValidationError as exc:
            problems += [f"{path}: screen {name!r}: {p}" for p in _problems(exc)]
    if problems:
        raise ScreenError("\n".join(problems))
    if spec.default not in screens:
        raise ScreenError(
            f"{path}: the default screen {spec.default!r} is not defined; "
            f"screens: {', '.join(sorted(screens))}"
        )
    return spec.default, screens


def _spec(path: Path) -> ScreensFile:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScreenError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or exc
        raise ScreenError(f"{path}: not valid YAML{where}: {problem}") from exc
    if not isinstance(raw, dict):
        raise ScreenError(f"{path}: expected a mapping with 'default' and 'screens'")
    try:
        return ScreensFile.model_validate(raw)
    except ValidationError as exc:
        raise ScreenError("\n".join(f"{path}: {p}" for p in _problems(exc))) from exc


def _problems(exc: ValidationError) -> list[str]:
    """One line per broken field: where it is in the screen, what is wrong, what was given."""
    errors = exc.errors()
    locs = [e["loc"] for e in errors]
    lines = []
    for error in errors:
        loc = error["loc"]
        if any(len(other) > len(loc) and other[: len(loc)] == loc for other in locs):
            continue  # a list's own error when one of its items is the problem
        where = ".".join(str(part) for part in error["loc"]) or "the file"
        given = error.get("input")
        shown = f" (given: {given!r})" if isinstance(given, str | int | float | bool) else ""
        lines.append(f"{where}: {error['msg']}{shown}")
    return lines


def load(path: Path = SCREENS_FILE) -> tuple[str, dict[str, Screen]]:
    """(name of the default screen, every screen by name); :class:`ScreenError` names the
    file, the screen and each field that is wrong."""
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise ScreenError(f"{path}: no such wall screens file ({exc.strerror or exc})") from exc
    return _load(path, mtime)


def resolve(query: dict[str, Any], path: Path = SCREENS_FILE) -> Screen:
    """The screen named by ``?screen=`` (or the default) with the URL's overrides applied."""
    default, screens = load(path)
    name = str(query.get("screen") or default)
    if name not in screens:
        raise ScreenError(f"unknown screen {name!r}; screens: {', '.join(sorted(screens))}")
    screen = screens[name]
    changes: dict[str, Any] = {}
    for key, (field, low, high) in TIMING_OVERRIDES.items():
        seconds = _number(query.get(key))
        if seconds is not None:
            changes[field] = min(high, max(low, seconds))
            if key == "dwell":  # one dwell for every panel
                changes["panels"] = tuple(
                    p.model_copy(update={"dwell_s": None}) for p in screen.panels
                )
    if "retry_max_s" in changes:
        changes["retry_s"] = min(screen.retry_s, changes["retry_max_s"])
    wanted: list[PanelKind] = [
        k for k in str(query.get("panels") or "").split(",") if k in PANEL_KINDS
    ]
    if wanted:
        by_kind = {p.kind: p for p in changes.get("panels", screen.panels)}
        changes["panels"] = tuple(by_kind.get(k) or Panel(kind=k) for k in dict.fromkeys(wanted))
    unit, scheme, period = query.get("unit"), query.get("scheme"), query.get("period")
    if isinstance(unit, str) and _CODE.match(unit):
        changes["unit"] = unit
    if scheme in ("legacy", "2025"):
        changes["scheme"] = scheme
    if isinstance(period, str) and _is_period(period):
        changes["period"] = period
    dim = _number(query.get("dim"))
    if dim is not None:
        changes["dim"] = screen.dim.model_copy(update={"level": min(0.9, max(0.0, dim))})
    if query.get("redraw") in ("changes", "always"):
        changes["redraw"] = query["redraw"]
    return screen.model_copy(update=changes) if changes else screen


def _number(raw: Any) -> float | None:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    return value if value == value and value not in (float("inf"), float("-inf")) else None
