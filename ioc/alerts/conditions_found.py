"""What each kind's finder hands to :func:`ioc.alerts.conditions.find`: a condition whose
``units`` are still to be worked out (from the units it is about, or a school's places), and
the bilingual sentences of a condition's detail (messages.yaml ``alert_conditions``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ioc.alerts.condition import Condition
from ioc.catalog.definitions import load_messages
from ioc.catalog.messages import FORMATTERS, LANGS, Lang
from ioc.domain.formats import local_datetime

#: a unit as alerts name it: (scheme, code)
Place = tuple[str, str]


@dataclass(frozen=True)
class Found:
    """A condition without its ``units`` yet: they are the reach of ``places`` (each unit,
    its ancestors, and the units of either scheme wholly containing its schools), or, for a
    ``school``, its place in both schemes."""

    condition: Condition
    places: tuple[Place, ...] = ()
    school: str | None = None


def sentences(
    code: str,
    values: Mapping[str, Any],
    per_lang: Mapping[Lang, Mapping[str, Any]] | None = None,
) -> dict[str, str]:
    """``{"vi": ..., "en": ...}`` of an ``alert_conditions`` message; ``per_lang`` holds the
    values whose words differ by language (an indicator's name, its unit)."""
    text = load_messages().alert_conditions[code]
    return {
        lang: FORMATTERS[lang].vformat(
            getattr(text, lang), (), {**values, **(per_lang or {}).get(lang, {})}
        )
        for lang in LANGS
    }


def day_text(day: date) -> str:
    """A date as both languages show it: 31/10/2025."""
    return day.strftime("%d/%m/%Y")


def instant_text(moment: datetime, zone: str) -> str:
    """An instant in the display zone: 17:15 09/03/2026."""
    return local_datetime(moment, zone)
