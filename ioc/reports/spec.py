"""A schedule as given by a user, checked field by field (each error names its field)."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from ioc.config import get_settings
from ioc.domain.units import code_pattern
from ioc.reports.cron import trigger_for
from ioc.reports.kinds import KINDS, STANDARD, check_format
from ioc.reports.periods import check_rule

UNIT_CODE = code_pattern(national=True)
FOLDER = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*")
EMAIL = re.compile(r"[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+")


class ScheduleSpec(BaseModel):
    """What a schedule produces, when, and where it goes."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    cron: Annotated[
        str,
        Field(
            max_length=100,
            description="minute hour day month weekday (or 6 fields, seconds first), "
            "in the schedules' time zone, e.g. '0 7 1 * *' = 07:00 on the 1st of each month; "
            "firing at most once per IOC_REPORTS_MIN_INTERVAL_SECONDS (default one hour)",
        ),
    ]
    kind: Annotated[str, Field(description=f"one of: {', '.join(KINDS)}")] = "standard"
    scheme: Literal["legacy", "2025"]
    units: Annotated[
        list[Annotated[str, Field(pattern=UNIT_CODE)]],
        Field(min_length=1, max_length=100, description="unit codes, or VN for the country"),
    ]
    period: Annotated[
        str, Field(description="latest, previous, or a fixed period such as 2024-2025/DN")
    ] = "latest"
    formats: Annotated[
        list[Literal["xlsx", "csv", "pdf"]],
        Field(min_length=1, description="xlsx, csv, pdf (pdf: the standard report only)"),
    ] = ["xlsx"]
    folder: Annotated[
        str | None,
        Field(max_length=200, description="sub-folder of the delivery root to copy files to"),
    ] = None
    email_to: Annotated[
        list[str],
        Field(
            max_length=50,
            description="addresses in the allowed domains (IOC_REPORTS_EMAIL_DOMAINS, by "
            "default that of IOC_SMTP_FROM); an admin may set any",
        ),
    ] = []
    enabled: bool = True

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        value = " ".join(value.split())
        trigger_for(value, get_settings().reports_timezone)
        return value

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        if value not in KINDS:
            raise ValueError(f"unknown report kind {value!r}; one of: {', '.join(KINDS)}")
        return value

    @field_validator("period")
    @classmethod
    def _period(cls, value: str) -> str:
        return check_rule(value)

    @field_validator("units", "formats")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    @field_validator("formats")
    @classmethod
    def _formats_of_kind(cls, value: list[str], info: ValidationInfo) -> list[str]:
        for fmt in value:  # the kind is checked first (fields in order)
            check_format(fmt, info.data.get("kind", STANDARD))
        return value

    @field_validator("folder")
    @classmethod
    def _folder(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not FOLDER.fullmatch(value) or ".." in value.split("/"):
            raise ValueError(
                "a folder is a relative path of letters, digits, '.', '_' and '-' "
                "under the delivery root"
            )
        return value

    @field_validator("email_to")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if not EMAIL.fullmatch(v.strip())]
        if bad:
            raise ValueError(f"not an e-mail address: {', '.join(bad)}")
        return [v.strip() for v in value]

    def store_values(self) -> dict[str, object]:
        """The values the store keeps (``ioc.store.schedules.FIELDS``)."""
        return {
            "name": self.name,
            "cron": self.cron,
            "kind": self.kind,
            "scheme": self.scheme,
            "unit_codes": self.units,
            "period": self.period,
            "formats": self.formats,
            "folder": self.folder,
            "email_to": self.email_to,
            "enabled": self.enabled,
        }
