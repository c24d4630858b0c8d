"""The bodies and answers of the review desk's API (docs/approval.md, "API"), each field
documented in the OpenAPI schema."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from ioc.api.params import UNIT_PATTERN, UNIT_TEXT
from ioc.domain.period import PATTERN, SCHOOL_YEARS, TERMS

MAX_REASON = 1000  # characters of a reason
MAX_BULK = 5000  # returns one approve-clean approves
#: a period in a path: school year and term joined by '-' (a '/' cannot be in a segment)
PERIOD_PATH = f"^({'|'.join(SCHOOL_YEARS)})-({'|'.join(TERMS)})$"
Reason = Field(
    default=None, max_length=MAX_REASON, description="Why (required to return, reopen, unlock)"
)


class ActionIn(BaseModel):
    action: Literal["check", "approve", "return", "reopen"]
    expected_hash: str = Field(
        pattern=r"^[0-9a-f]{32}$", description="The content hash of the return the actor saw"
    )
    reason: str | None = Reason


class ReviewOut(BaseModel):
    school_code: str
    school_year: str
    term: str
    state: str = Field(description="received | checked | returned | approved")
    content_hash: str = Field(description="The content the review was taken on")
    reason: str | None
    updated_at: datetime
    updated_by: str
    approved_at: datetime | None
    approved_by: str | None


class ActionOut(BaseModel):
    review: ReviewOut
    event_id: int = Field(description="The review event recorded (the hash chain)")
    mail: str | None = Field(description="A return's e-mail: sent | no_address | failed")
    job: str = Field(description="The review_publish job republishing the figures")


class BulkIn(BaseModel):
    unit: str = Field(pattern=UNIT_PATTERN, max_length=5, description=UNIT_TEXT)
    period: str = Field(pattern=PATTERN, max_length=12, description="e.g. 2024-2025/DN")
    scheme: Literal["legacy", "2025"] | None = Field(
        default=None, description="The unit's scheme; default: the period's"
    )


class BulkOut(BaseModel):
    approved: int = Field(description="Returns approved by this call")
    with_findings: int = Field(description="Waiting returns left alone: they have findings")
    not_allowed: int = Field(description="Waiting returns the caller may not approve")
    refused: dict[str, int] = Field(description="Returns the store refused, by error code")
    remaining: int = Field(description=f"Clean returns beyond this call's {MAX_BULK}")
    job: str = Field(description="The review_publish job republishing the figures")


class LockIn(BaseModel):
    scheme: Literal["legacy", "2025"]
    unit: str = Field(pattern=UNIT_PATTERN, max_length=5, description="A province. " + UNIT_TEXT)
    period: str = Field(pattern=PATTERN, max_length=12, description="e.g. 2024-2025/DN")
    reason: str | None = Reason


class LockOut(BaseModel):
    unit_scheme: str
    unit_code: str
    school_year: str
    term: str
    locked_at: datetime
    locked_by: str
    reason: str | None


class ChainProblemOut(BaseModel):
    event_id: int | None
    kind: str = Field(description="edited | deleted | reordered | unexplained | broken_head")
    detail: str


class ChainOut(BaseModel):
    ok: bool
    events: int
    problems: list[ChainProblemOut]
    checked_at: datetime
