"""Plain ASGI middleware: ``.csv``/``.xlsx`` suffixes become ``?format=``; GET answers carry
an ETag from the build id (and the caller) and honour If-None-Match; and a JSON answer to a
GET is kept for the build it was read from, so the same caller asking again is answered
here, on the event loop, without a cursor, a worker thread or the routing."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable

from fastapi.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ioc.api.snapshot import Build

PREFIX = "/api/v1"
SUFFIXES = {".csv": "csv", ".xlsx": "xlsx", ".json": "json"}
NO_ETAG = tuple(f"{PREFIX}{p}" for p in ("/auth", "/audit", "/health", "/ingest", "/schedules"))


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
        self._items: OrderedDict[Hashable, tuple[Message, Message]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # switch() runs wherever a new build is opened

    def switch(self, build_id: str) -> None:
        with self._lock:
            if build_id != self._build:
                self._items.clear()
                self._bytes = 0
                self._build = build_id

    def get(self, key: Hashable) -> tuple[Message, Message] | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def keep(self, build_id: str, key: Hashable, sent: list[Message]) -> None:
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
            self._items[key] = (start, body[0])
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, old) = self._items.popitem(last=False)
                self._bytes -= len(old.get("body", b"")) + 512


class SuffixAndETag:
    """In front of the whole application (see :class:`ioc.api.main.Api`): a cached answer
    costs this middleware and nothing else."""

    def __init__(self, app: ASGIApp, responses: ResponseCache) -> None:
        self.app = app
        self.responses = responses

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        _format_suffix(scope)
        path: str = scope["path"]
        if scope["method"] != "GET" or not path.startswith(PREFIX) or path.startswith(NO_ETAG):
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        try:
            build: Build | None = state.snapshot.current()
        except Exception:  # the routes report it, as a problem
            build = None
        if build is None:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])  # names are lower case in ASGI
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        cookie = headers.get(b"cookie", b"").decode("latin-1")
        etag = _etag(build, authorization + cookie)
        if headers.get(b"if-none-match", b"").decode("latin-1") == etag:
            await Response(status_code=304, headers={"ETag": etag})(scope, receive, send)
            return
        try:
            who = await state.auth.principal(authorization, cookie)
        except Exception:  # the routes report it, as a problem
            who = None
        if who is None:  # the route answers 401 (or the problem)
            await self.app(scope, receive, send)
            return
        key = (build.build_id, who, path, scope.get("query_string", b""))
        hit = self.responses.get(key)
        if hit is not None:
            await send(hit[0])
            await send(hit[1])
            return
        scope.setdefault("state", {})["principal"] = who
        sent: list[Message] = []

        async def send_with_etag(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                message["headers"] = [*message.get("headers", []), (b"etag", etag.encode())]
            sent.append(message)
            await send(message)

        await self.app(scope, receive, send_with_etag)
        if scope["state"].get("build") == build:  # read from the build the key names
            self.responses.keep(build.build_id, key, sent)


def _etag(build: Build, credentials: str) -> str:
    """From the build id and the caller's credentials (Authorization and Cookie headers)."""
    digest = hashlib.sha256(credentials.encode("latin-1")).hexdigest()[:12]
    return f'W/"{build.build_id}-{digest}"'


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
