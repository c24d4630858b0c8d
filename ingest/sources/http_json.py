"""An ``http-json`` source: a vendor's JSON API read through its declared :class:`Mapping`
(``ioc/sources/spec.py``): the resource's path and parameters, the watermark sent as
``since_param``, the paging (page number, offset, cursor or ``Link`` header), the list of
records, and each record's vendor fields mapped to the contract's, as the text a return file's
cell would hold. A response that is not what the mapping says stops the pull with a
:class:`PullError` naming the source, resource, page and field."""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import httpx
from pydantic import SecretStr

from ingest.sources.auth import signer_for
from ingest.sources.base import Page, PullError, Tombstone
from ingest.sources.http import At, Http, OverHttp, Reply, Sleep
from ioc.config import Settings
from ioc.sources.spec import Mapping as VendorMapping
from ioc.sources.spec import ResourceMapping, SourceSpec

MISSING = object()


@functools.cache
def steps(path: str) -> tuple[str, ...]:
    return tuple(path.split(".")) if path else ()


def dig(record: Any, path: str) -> Any:
    """The value at a dotted path (``dia_ban.ma_xa``); ``MISSING`` when a step is absent
    ("" is the record itself)."""
    value = record
    for step in steps(path):
        if type(value) is dict:
            value = value.get(step, MISSING)
            if value is MISSING:
                return MISSING
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return MISSING
    return value


def as_text(value: Any) -> str | None:
    """A vendor value as a file's cell would hold it: numbers without a trailing ``.0``,
    booleans as JSON spells them, null as None, objects as JSON."""
    if type(value) is str:
        return value
    if value is None or value is MISSING:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int | str):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def since_value(watermark: str, overlap_seconds: int) -> str:
    """What is asked for a watermark: an ISO timestamp moved back by the overlap (in its own
    spelling: ``Z`` kept), anything else as it is."""
    text = watermark.strip()
    try:
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return watermark
    if text.isdigit():
        return watermark
    earlier = (stamp - timedelta(seconds=overlap_seconds)).isoformat()
    return earlier.replace("+00:00", "Z") if text.endswith("Z") else earlier


def _params(mapping: ResourceMapping, state: dict[str, Any]) -> dict[str, str]:
    """The query of the next page: fixed parameters, since, page size and position."""
    paging = mapping.paging
    params = dict(mapping.params)
    if state["since"] is not None and mapping.since_param:
        params[mapping.since_param] = state["since"]
    if paging.size_param and paging.type != "none":
        params[paging.size_param] = str(paging.size)
    if paging.type == "page":
        params[paging.page_param] = str(state.get("page", paging.first_page))
    elif paging.type == "offset":
        params[paging.offset_param] = str(state.get("offset", 0))
    elif paging.type == "cursor" and state.get("cursor") is not None:
        params[paging.cursor_param] = str(state["cursor"])
    return params


class HttpJsonFetcher(OverHttp):
    """The pages of a vendor API's resources (the :class:`Fetcher` protocol)."""

    def __init__(
        self,
        spec: SourceSpec,
        secret: Mapping[str, SecretStr],
        settings: Settings,
        *,
        sleep: Sleep = time.sleep,
    ) -> None:
        if not isinstance(spec.mapping, VendorMapping):
            raise PullError("no_mapping", spec.name, name="*")
        self.spec, self.mapping = spec, spec.mapping
        signer = signer_for(self.mapping.auth, spec.name, spec.secret, secret, spec.base_url)
        self.http = Http(spec.name, settings, signer, sleep=sleep)

    def pages(
        self, resource: str, since: str | None, resume: dict[str, Any] | None
    ) -> Iterator[Page]:
        found = self.mapping.resources.get(resource)  # type: ignore[call-overload]
        if found is None:
            raise PullError("no_mapping", self.spec.name, resource=resource, name=resource)
        mapping: ResourceMapping = found
        paging = mapping.paging
        state = dict(resume or {})
        if "since" not in state:  # a resumed pull asks the since it started with
            asked = since_value(since, mapping.overlap_seconds) if since else None
            state["since"] = asked
        number = int(state.get("number", 0))
        url = state.get("url") or f"{self.spec.base_url}/{mapping.path.lstrip('/')}"
        ahead: Future[tuple[Reply, Any]] | None = None
        # the next page is asked for while this one is mapped and spooled (from page 2: a
        # test or dry run that reads page 1 alone asks for no other)
        with ThreadPoolExecutor(1, thread_name_prefix="next-page") as pool:
            try:
                while True:
                    number += 1
                    at = At(resource, number)
                    if ahead is None:
                        reply, body = self._get(url, at, self._query(mapping, state))
                    else:
                        reply, body = ahead.result()
                        ahead = None
                    last = self._last(mapping, resource, state, reply, body, at)
                    if paging.type == "link" and not last:
                        url = state["url"]
                    state["number"] = number
                    resume_at = dict(state)
                    if not last and number > 1:
                        query = self._query(mapping, state)
                        ahead = pool.submit(self._get, url, At(resource, number + 1), query)
                    page = self._page(mapping, resource, at, body)
                    page.last, page.resume = last, resume_at
                    yield page
                    if last:
                        return
            finally:
                if ahead is not None:  # the pull stopped: the page asked for is not wanted
                    ahead.cancel()

    def _get(self, url: str, at: At, params: dict[str, str]) -> tuple[Reply, Any]:
        reply = self.http.get(url, at, params=params)
        return reply, reply.json(self.http, at)

    @staticmethod
    def _query(mapping: ResourceMapping, state: dict[str, Any]) -> dict[str, str]:
        return {} if mapping.paging.type == "link" and "url" in state else _params(mapping, state)

    def _last(
        self,
        mapping: ResourceMapping,
        resource: str,
        state: dict[str, Any],
        reply: Reply,
        body: Any,
        at: At,
    ) -> bool:
        """Moves ``state`` to the page after this one (before this one is mapped, so that
        the next can be asked for meanwhile); True when this one was the last. A page that
        is not what the mapping says raises its own error first."""
        records = dig(body, mapping.records)
        if not isinstance(records, list):
            self._page(mapping, resource, at, body)  # raises no_records
        try:
            return self._advance(mapping, state, len(records), reply, body, at)
        except PullError:
            self._page(mapping, resource, at, body)
            raise

    def _advance(
        self,
        mapping: ResourceMapping,
        state: dict[str, Any],
        count: int,
        reply: Reply,
        body: Any,
        at: At,
    ) -> bool:
        """Moves ``state`` to the page after this one (``count`` records); True when this
        one was the last."""
        paging = mapping.paging
        if paging.type in ("page", "offset"):
            state["page"] = int(state.get("page", paging.first_page)) + 1
            state["offset"] = int(state.get("offset", 0)) + paging.size
            return count < paging.size
        if paging.type == "cursor":
            cursor = dig(body, paging.next_cursor or "")
            if cursor is MISSING:
                raise self.http.error("no_cursor", at, path=paging.next_cursor)
            state["cursor"] = cursor
            return cursor in (None, "")
        if paging.type == "link":
            nxt = next_link(reply.headers.get_list("link"))
            if nxt is not None:
                state["url"] = self._without_key(str(reply.url.join(nxt)))
            return nxt is None
        return True

    def _page(self, mapping: ResourceMapping, resource: str, at: At, body: Any) -> Page:
        records = dig(body, mapping.records)
        if not isinstance(records, list):
            raise self.http.error("no_records", at, path=mapping.records or "(body)")
        page = Page(number=at.page or 1, rows=[], versions=[])
        kept: list[dict[str, Any]] = []
        for index, record in enumerate(records, start=1):
            if not isinstance(record, dict):
                raise self.http.error(
                    "record_not_object", at, index=index, path=mapping.records or "(body)"
                )
            if self._deleted(mapping, record):
                row = self._row(mapping, record)
                page.tombstones.append(
                    Tombstone(
                        school_code=row.get("school_code") or "",
                        school_year=None if resource == "schools" else row.get("school_year"),
                        term=None if resource == "schools" else row.get("term"),
                        version=as_text(dig(record, mapping.version or ""))
                        if mapping.version
                        else None,
                    )
                )
                continue
            kept.append(record)
        for field, path in mapping.fields.items():
            if kept and all(dig(r, path) is MISSING for r in kept):
                raise self.http.error("field_missing", at, field=field, path=path)
        for record in kept:
            page.rows.append(self._row(mapping, record))
            version = dig(record, mapping.version) if mapping.version else None
            page.versions.append(as_text(version))
        return page

    def _without_key(self, url: str) -> str:
        """A next link without the API key a vendor may have echoed in it (it is signed
        again on sending; the resume point is written to disk)."""
        key = self.mapping.auth.query if self.mapping.auth.type == "api_key" else None
        if not key:
            return url
        parsed = httpx.URL(url)
        return str(parsed.copy_with(params=parsed.params.remove(key)))

    @staticmethod
    def _deleted(mapping: ResourceMapping, record: dict[str, Any]) -> bool:
        if mapping.deleted is None:
            return False
        value = as_text(dig(record, mapping.deleted.field))
        return value is not None and value.lower() in {v.lower() for v in mapping.deleted.values}

    @staticmethod
    def _row(mapping: ResourceMapping, record: dict[str, Any]) -> dict[str, str | None]:
        names, groups, coded = _plan(mapping)
        values: list[Any] = [MISSING] * len(names)
        for parent, items in groups:
            if parent is None:
                for i, path in items:
                    values[i] = record.get(path, MISSING) if "." not in path else dig(record, path)
                continue
            inner = record.get(parent, MISSING)
            if type(inner) is dict:
                for i, leaf in items:
                    values[i] = inner.get(leaf, MISSING)
            else:  # a list, or no object there: dig says what is
                for i, leaf in items:
                    values[i] = dig(record, f"{parent}.{leaf}")
        for i, value in enumerate(values):
            kind = type(value)
            if kind is int:
                values[i] = str(value)
            elif kind is not str:
                values[i] = None if value is None or value is MISSING else as_text(value)
        for i, codes in coded:
            text = values[i]
            if text is not None:
                values[i] = codes.get(text, text)  # unknown: the contract's validation says why
        return dict(zip(names, values, strict=True))


Group = tuple[str | None, list[tuple[int, str]]]  # an object, and (position, field) in it
Plan = tuple[tuple[str, ...], list[Group], list[tuple[int, dict[str, str]]]]
_PLANS: dict[int, tuple[ResourceMapping, Plan]] = {}


def _plan(mapping: ResourceMapping) -> Plan:
    """How a record of this resource is read: its fields in order, grouped by the object
    holding them (a vendor nests most fields one level down: the object is looked up once a
    record, not once a field), and the fields whose values are mapped. Made once a mapping."""
    kept = _PLANS.get(id(mapping))
    if kept is not None and kept[0] is mapping:
        return kept[1]
    names = tuple(mapping.fields)
    groups: dict[str | None, list[tuple[int, str]]] = {}
    for i, path in enumerate(mapping.fields.values()):
        parent, _, leaf = path.partition(".")
        nested = bool(leaf) and "." not in leaf
        groups.setdefault(parent if nested else None, []).append((i, leaf if nested else path))
    coded = [(i, mapping.values[f]) for i, f in enumerate(names) if f in mapping.values]
    plan: Plan = (names, list(groups.items()), coded)
    _PLANS[id(mapping)] = (mapping, plan)
    return plan


def next_link(values: list[str]) -> str | None:
    """The target of ``rel="next"`` in ``Link`` headers (RFC 8288), None when there is none."""
    for value in values:
        for part in value.split(","):
            target, _, rest = part.strip().partition(";")
            rels = [
                p.split("=", 1)[1].strip().strip('"').split()
                for p in rest.split(";")
                if p.strip().lower().startswith("rel=")
            ]
            if any("next" in r for r in rels) and target.strip().startswith("<"):
                return target.strip()[1:-1]
    return None
