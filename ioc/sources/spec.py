"""A source the Department pulls returns (and the school registry) from: its declaration,
validated before it is stored. Pure data; the pull is :mod:`ingest.pull`.

A source names a *secret* (an entry of the secrets file, :mod:`ioc.sources.secrets`), never
holds a credential. An ``http-json`` source carries a declarative :class:`Mapping` of its
vendor's API (authentication, paging, the vendor's field names mapped to the contract's and
value maps for codes), so a Department configures its vendor without code.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ioc.catalog import load_contract
from ioc.domain.units import UnitCodeError, code_lengths, is_code, scheme_of

Kind = Literal["http-json", "http-file", "ioc-edu"]
KINDS: tuple[Kind, ...] = ("http-json", "http-file", "ioc-edu")
Resource = Literal["returns", "schools"]
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{1,39}$")
URL = re.compile(r"^https?://[^\s/@]+(/[^\s]*)?$")  # no credentials in it
RESERVED_NAMES = frozenset({"status"})  # paths of the sources API, not names of sources
MAX_PAGE_SIZE = 10_000

#: the fields of a registry record (resource ``schools``): a school of the network
REGISTRY_FIELDS = (
    "school_code",
    "school_name",
    "level",
    "ownership",
    "province_code",
    "district_code",
    "commune_code",
    "status",  # 'open' | 'closed'
    "opened_year",  # the school year it opened, e.g. '2019-2020' (optional)
    "closed_year",  # the school year it closed (optional)
    "email",  # the school's contact
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Auth(_Strict):
    """How requests are authenticated. The values come from the source's secret:
    ``api_key`` → key ``api_key``; ``basic`` → ``username``, ``password``; ``oauth2`` (client
    credentials) → ``client_id``, ``client_secret``; ``bearer`` → ``token``."""

    type: Literal["none", "api_key", "basic", "oauth2", "bearer"] = "none"
    header: str = "X-API-Key"  # api_key: the header it goes in ...
    query: str | None = None  # ... or this query parameter instead
    token_url: str | None = None  # oauth2: relative to base_url, or absolute
    scope: str | None = None  # oauth2: requested scope

    @model_validator(mode="after")
    def _token_url(self) -> Auth:
        if self.type == "oauth2" and not self.token_url:
            raise ValueError("auth.token_url is required for oauth2")
        return self


class Paging(_Strict):
    """How the pages of a resource follow each other."""

    type: Literal["none", "page", "offset", "cursor", "link"] = "none"
    size: int = Field(default=1000, ge=1, le=MAX_PAGE_SIZE)
    size_param: str | None = "limit"  # the page size's query parameter (None: not sent)
    page_param: str = "page"  # page: the page number's parameter ...
    first_page: int = 1  # ... and the number of the first page
    offset_param: str = "offset"  # offset
    cursor_param: str = "cursor"  # cursor: the parameter the next cursor goes in ...
    next_cursor: str | None = None  # ... and the body's dotted path to it (null: last page)

    @model_validator(mode="after")
    def _cursor(self) -> Paging:
        if self.type == "cursor" and not self.next_cursor:
            raise ValueError("paging.next_cursor is required for cursor paging")
        return self


class Deleted(_Strict):
    """A record that says the row was deleted at the source (a tombstone)."""

    field: str  # the vendor's field (dotted path in the record)
    values: list[str] = ["true", "1", "yes"]  # its values that mean deleted (as text)


class ResourceMapping(_Strict):
    """One resource of a vendor API (``returns`` or ``schools``)."""

    path: str  # relative to the source's base_url
    params: dict[str, str] = {}  # fixed query parameters
    since_param: str | None = None  # the watermark goes in this parameter (None: full pulls)
    records: str = ""  # dotted path to the list of records in the body ("" : the body)
    paging: Paging = Paging()
    version: str | None = None  # the record's change version (dotted path): the watermark
    overlap_seconds: int = Field(default=300, ge=0)  # asked again before a timestamp watermark
    deleted: Deleted | None = None
    fields: dict[str, str]  # contract field → the vendor's field (dotted path)
    values: dict[str, dict[str, str]] = {}  # contract field → {vendor value: contract value}

    @field_validator("path")
    @classmethod
    def _relative(cls, value: str) -> str:
        if "://" in value:
            raise ValueError("path must be relative to the source's base_url")
        return value


class Mapping(_Strict):
    """A vendor API, declared: its authentication and its resources."""

    auth: Auth = Auth()
    resources: dict[Resource, ResourceMapping]


class FileMapping(_Strict):
    """An ``http-file`` source: the URL path of the return file, and its period if the file
    does not say (as ``ioc ingest --period``)."""

    auth: Auth = Auth()
    path: str
    period: str | None = None


class UnitRef(_Strict):
    scheme: Literal["legacy", "2025"]
    code: str = Field(pattern=r"^[0-9]{2,5}$")  # and the lengths of its scheme

    @model_validator(mode="after")
    def _code(self) -> UnitRef:
        try:
            known = scheme_of(self.scheme)
        except UnitCodeError as exc:
            raise ValueError(str(exc)) from None
        if not is_code(self.code, known):
            lengths = "/".join(str(n) for n in code_lengths(known))
            raise ValueError(f"bad {known} unit code {self.code!r}: {lengths} digits expected")
        return self


class SourceSpec(_Strict):
    """A source as an admin declares it (API body, CLI file, dashboard form)."""

    name: str = Field(pattern=NAME.pattern, max_length=40)
    kind: Kind
    base_url: str = Field(pattern=URL.pattern, max_length=2000)
    secret: str | None = None  # the entry of the secrets file holding its credentials
    units: list[UnitRef] = Field(min_length=1)  # what it may write: rows elsewhere are rejected
    resources: list[Resource] = ["returns"]
    cron: str | None = None  # when it is pulled (delta); None: only on demand
    reconcile_cron: str | None = "0 2 * * 0"  # full reconcile (Sunday 02:00)
    late_after_hours: int = Field(default=48, ge=1, le=24 * 90)
    mapping: Mapping | FileMapping | None = None
    enabled: bool = True

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME.match(value):
            raise ValueError("name: 2-40 of a-z, 0-9, '-', '_', starting with a letter or digit")
        if value in RESERVED_NAMES:
            raise ValueError(f"name: {value!r} is reserved")
        return value

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not URL.match(value):
            raise ValueError("base_url must be an http(s) URL without credentials")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _mapping_of_kind(self) -> SourceSpec:
        if self.kind == "http-json":
            if not isinstance(self.mapping, Mapping):
                raise ValueError("an http-json source needs a mapping with resources")
            for name in self.resources:
                if name not in self.mapping.resources:
                    raise ValueError(f"mapping.resources has no {name!r}")
                check_fields(name, self.mapping.resources[name])
        elif self.kind == "http-file":
            if not isinstance(self.mapping, FileMapping):
                raise ValueError("an http-file source needs a mapping with a path")
            if self.resources != ["returns"]:
                raise ValueError("an http-file source has returns only")
        elif self.mapping is not None and not isinstance(self.mapping, FileMapping | Mapping):
            raise ValueError("an ioc-edu source takes no mapping")
        return self


def check_fields(resource: str, mapping: ResourceMapping) -> None:
    """Every mapped field is a field of the contract (returns) or of the registry (schools);
    ValueError naming the unknown one."""
    known = (
        set(REGISTRY_FIELDS)
        if resource == "schools"
        else {f.name for f in load_contract().fields} | {"school_year", "term"}
    )
    for field in [*mapping.fields, *mapping.values]:
        if field not in known:
            raise ValueError(f"mapping.resources.{resource}.fields: unknown field {field!r}")
    for field in [f for f in mapping.values if f not in mapping.fields]:
        raise ValueError(f"mapping.resources.{resource}.values: {field!r} is not mapped")
    if "school_code" not in mapping.fields:
        raise ValueError(f"mapping.resources.{resource}.fields: school_code is required")
