"""Sources in the store: add, update, delete, get, list. Every change is audited (and
committed with it) with the source's declaration minus anything secret: the declaration
names an entry of the secrets file and never holds a credential; the audit detail drops the
query string of every URL as well, in case one was written there."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from ioc.sources.spec import SourceSpec
from ioc.store.audit import record
from ioc.store.errors import StoreError
from ioc.store.models import Source
from ioc.store.types import utcnow

#: the columns a source is made of, as a SourceSpec names them
FIELDS = (
    "kind",
    "base_url",
    "secret",
    "units",
    "resources",
    "cron",
    "reconcile_cron",
    "late_after_hours",
    "mapping",
    "enabled",
)


class UnknownSource(StoreError):
    def __init__(self, name: str) -> None:
        super().__init__(f"no source named {name!r}")
        self.name = name


class SourceExists(StoreError):
    def __init__(self, name: str) -> None:
        super().__init__(f"a source named {name!r} already exists")
        self.name = name


def spec_of(source: Source) -> SourceSpec:
    """The stored source as its declaration (validated again)."""
    return SourceSpec.model_validate(
        {"name": source.name, **{f: getattr(source, f) for f in FIELDS}}
    )


def _values(spec: SourceSpec) -> dict[str, Any]:
    dumped = spec.model_dump(mode="json")
    return {f: dumped[f] for f in FIELDS}


def without_query(url: str) -> str:
    """``url`` without its query string, fragment or user information."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _scrub(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _scrub(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, str) and (key.endswith("url") or "://" in value):
        return without_query(value)
    return value


def audit_detail(spec: SourceSpec) -> dict[str, Any]:
    """What the audit log keeps of a declaration: everything but query strings of URLs
    (the secret is the entry's name only; its values never reach the store)."""
    return {"source": spec.name, **_scrub(_values(spec))}


def add_source(session: Session, spec: SourceSpec, *, actor: str, ip: str | None = None) -> Source:
    if get_source(session, spec.name) is not None:
        raise SourceExists(spec.name)
    now = utcnow()
    source = Source(name=spec.name, created_by=actor, created_at=now, updated_at=now)
    for name, value in _values(spec).items():
        setattr(source, name, value)
    session.add(source)
    record(session, "source_created", actor, audit_detail(spec), ip)
    session.commit()
    return source


def update_source(
    session: Session, spec: SourceSpec, *, actor: str, ip: str | None = None
) -> Source:
    """The source named like ``spec`` declared anew (UnknownSource if there is none)."""
    source = get_source(session, spec.name)
    if source is None:
        raise UnknownSource(spec.name)
    for name, value in _values(spec).items():
        setattr(source, name, value)
    source.updated_at = utcnow()
    record(session, "source_changed", actor, audit_detail(spec), ip)
    session.commit()
    return source


def delete_source(session: Session, name: str, *, actor: str, ip: str | None = None) -> None:
    """Delete a source (its ledger stays, under its name)."""
    source = get_source(session, name)
    if source is None:
        raise UnknownSource(name)
    record(session, "source_deleted", actor, {"source": name}, ip)
    session.delete(source)
    session.commit()


def get_source(session: Session, name: str) -> Source | None:
    return session.scalars(select(Source).where(Source.name == name)).first()


def list_sources(session: Session, *, enabled_only: bool = False) -> list[Source]:
    query = select(Source).order_by(Source.name)
    if enabled_only:
        query = query.where(Source.enabled.is_(True))
    return list(session.scalars(query))
