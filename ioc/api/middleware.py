"""Plain ASGI middleware: ``.csv``/``.xlsx`` suffixes become ``?format=``; a HEAD is a GET
without its body; JSON answers to GETs carry an ETag from the build id, the verified caller
and the URL, and honour If-None-Match once the caller is verified; and a JSON answer to a
GET is kept for the build it was read from, so the same caller asking again is answered
here, on the event loop, without a cursor, a worker thread or the routing."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any, NamedTuple

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ioc.api.principal import Principal
from ioc.api.snapshot import Build

API = "/api"
PREFIX = f"{API}/v1"
SUFFIXES = {".csv": "csv", ".xlsx": "xlsx", ".json": "json"}
# answers not read from the build alone (review states live in the store and change
# without a new build): never kept, never validated by the build's ETag
NO_ETAG = tuple(
    f"{PREFIX}{p}"
    for p in (
        "/alerts",
        "/auth",
        "/audit",
        "/health",
        "/ingest",
        "/jobs",
        "/reviews",
        "/schedules",
    )
)
Key = tuple[str, Principal, str, bytes]  # build id, verified caller, path, query
PUBLIC = (f"{PREFIX}/health", f"{API}/openapi.json", f"{API}/docs")  # for anyone to keep


class Kept(NamedTuple):
    """A whole answer (its start and its one body message), its ETag and its 304."""

    start: Message
    body: Message
    etag: str
    not_modified: Message


class ResponseCache:
    """Whole JSON answers to GETs, keyed by build, caller, path and query.

    Everything a GET outside ``NO_ETAG`` answers is read from one published build, so an
    answer holds until a new build is opened (:meth:`switch` empties the cache then). The
    caller in the key is the account verified for this very request (role and unit scopes
    included), so no caller is ever answered with another's scoped data, and a revoked
    token or a changed scope takes effect as soon as the credential is verified again.
    Exports (CSV, XLSX) are not kept, so every download is audited."""

    def __init__(self, max_bytes: int = 64 << 20, max_body: int = 1 << 20) -> None:
        self.max_bytes = max_bytes
        self.max_body = max_body
        self._build: str | None = None
        self._items: OrderedDict[Hashable, Kept] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # switch() runs wherever a new build is opened

    def switch(self, build_id: str) -> None:
        with self._lock:
            if build_id != self._build:
                self._items.clear()
                self._bytes = 0
                self._build = build_id

    def get(self, key: Hashable) -> Kept | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def keep(self, build_id: str, key: Hashable, etag: str, sent: list[Message]) -> None:
        start = sent[0] if sent else {}
        headers = dict(start.get("headers", []))
        body = [m for m in sent[1:] if m["type"] == "http.response.body"]
        if (
            start.get("status") != 200
            or not headers.get(b"content-type", b"").startswith(b"application/json")
            or len(body) != 1
            or body[0].get("more_body")
            or len(body[0].get("body", b"")) > self.max_body
        ):
            return
        size = len(body[0].get("body", b"")) + 512
        with self._lock:
            if build_id != self._build or key in self._items:
                return
            self._items[key] = Kept(start, body[0], etag, _not_modified(etag))
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, old = self._items.popitem(last=False)
                self._bytes -= len(old.body.get("body", b"")) + 512


class SuffixAndETag:
    """In front of the whole application (see :class:`ioc.api.main.Api`): a cached answer
    costs this middleware and nothing else.

    The caller is verified before anything is answered: ``If-None-Match`` is compared only
    with the ETag of the answer the application produced (or has kept) for this verified
    caller, so a 304 is given exactly where a 200 would have been, never in place of a 401
    or a 403. Every answer of an API route says ``Cache-Control: private``."""

    def __init__(self, app: ASGIApp, responses: ResponseCache) -> None:
        self.app = app
        self.responses = responses

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        _format_suffix(scope)
        path: str = scope["path"]
        if not path.startswith(API):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "HEAD":  # a GET whose body is not sent
            scope, send = {**scope, "method": "GET"}, _without_body(send)
        if scope["method"] != "GET" or not path.startswith(PREFIX) or path.startswith(NO_ETAG):
            await self.app(scope, receive, _private(send, path))
            return
        headers = dict(scope["headers"])  # names are lower case in ASGI
        build, who = await _verified(scope["app"].state, headers)
        if build is None or who is None:  # the route answers 401 (or the problem)
            await self.app(scope, receive, _private(send, path))
            return
        key = (build.build_id, who, path, scope.get("query_string", b""))
        wanted = headers.get(b"if-none-match")
        hit = self.responses.get(key)
        if hit is None:
            scope.setdefault("state", {})["principal"] = who
            await self._answer(scope, receive, send, key, wanted)
        elif wanted is not None and _matches(wanted, hit.etag):
            await send(hit.not_modified)
            await send(NO_BODY)
        else:
            await send(hit.start)
            await send(hit.body)

    async def _answer(
        self, scope: Scope, receive: Receive, send: Send, key: Key, wanted: bytes | None
    ) -> None:
        """The application's answer, with its ETag (a 304 instead of a 200 the caller has
        already), kept if it is a whole JSON answer from the build the key names."""
        etag = _etag(key)
        sent: list[Message] = []
        unchanged = False

        async def send_with_etag(message: Message) -> None:
            nonlocal unchanged, etag
            if message["type"] == "http.response.start":
                read: Build | None = scope["state"].get("build")
                if read is not None and read.build_id != key[0]:
                    # a newer build was opened after the key was made: the answer was read
                    # from it (its cursor's), so its ETag names that build
                    etag = _etag((read.build_id, *key[1:]))
                kept = [(k, v) for k, v in message.get("headers", []) if k != b"cache-control"]
                if message["status"] == 200 and _is_json(kept):
                    message = {**message, "headers": [*kept, *_validators(etag)]}
                    unchanged = wanted is not None and _matches(wanted, etag)
                else:
                    message = {**message, "headers": [*kept, NO_STORE]}
                sent.append(message)
                await send(_not_modified(etag) if unchanged else message)
                return
            sent.append(message)
            if not unchanged:
                await send(message)
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                await send(NO_BODY)  # the caller has this answer already

        await self.app(scope, receive, send_with_etag)
        build = scope["state"].get("build")
        if build is not None and build.build_id == key[0]:  # read from the build the key names
            self.responses.keep(key[0], key, etag, sent)


async def _verified(
    state: Any, headers: dict[bytes, bytes]
) -> tuple[Build | None, Principal | None]:
    """The published build and the account verified from the request's credentials."""
    try:
        build: Build | None = state.snapshot.current()
        who = await state.auth.principal(
            headers.get(b"authorization", b"").decode("latin-1"),
            headers.get(b"cookie", b"").decode("latin-1"),
        )
    except Exception:  # the routes report it, as a problem
        return None, None
    return build, who


NO_BODY: Message = {"type": "http.response.body", "body": b"", "more_body": False}
NO_STORE = (b"cache-control", b"private, no-store")


def _validators(etag: str) -> list[tuple[bytes, bytes]]:
    """An answer kept by the caller's own browser only, revalidated every time."""
    return [(b"etag", etag.encode("latin-1")), (b"cache-control", b"private, no-cache")]


def _not_modified(etag: str) -> Message:
    return {"type": "http.response.start", "status": 304, "headers": _validators(etag)}


def _is_json(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(k == b"content-type" and v.startswith(b"application/json") for k, v in headers)


def _matches(if_none_match: bytes, etag: str) -> bool:
    """Weak comparison (RFC 9110 13.1.2) of an If-None-Match list with the answer's ETag."""
    if if_none_match.strip() == b"*":
        return True
    ours = etag.removeprefix("W/").encode("latin-1")
    return any(t.strip().removeprefix(b"W/") == ours for t in if_none_match.split(b","))


def _etag(key: Key) -> str:
    """From the build id and a digest of the verified caller, the path and the query."""
    digest = hashlib.sha256(repr(key[1:]).encode()).hexdigest()[:16]
    return f'W/"{key[0]}-{digest}"'


def _private(send: Send, path: str) -> Send:
    """Answers of the API (not its health or its document) are for their caller only."""
    if path.startswith(PUBLIC):
        return send

    async def private(message: Message) -> None:
        if message["type"] == "http.response.start":
            kept = [(k, v) for k, v in message.get("headers", []) if k != b"cache-control"]
            message = {**message, "headers": [*kept, NO_STORE]}
        await send(message)

    return private


def _without_body(send: Send) -> Send:
    """The answer to a HEAD: the GET's status and headers (its length included), no body."""

    async def head(message: Message) -> None:
        if message["type"] != "http.response.body":
            await send(message)
        elif not message.get("more_body"):
            await send(NO_BODY)

    return head


def _format_suffix(scope: Scope) -> None:
    """/api/v1/schools.csv?... is /api/v1/schools?format=csv&..."""
    path: str = scope["path"]
    for suffix, fmt in SUFFIXES.items():
        if path.startswith(PREFIX) and path.endswith(suffix):
            scope["path"] = path[: -len(suffix)]
            query = scope.get("query_string", b"").decode()
            extra = f"format={fmt}"
            scope["query_string"] = (f"{query}&{extra}" if query else extra).encode()
            break
