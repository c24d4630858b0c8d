"""Gzip for the dashboard, with the component libraries' files compressed once.

Dash serves its own and its component libraries' JavaScript under :data:`SUITES`. Those are
installed package files, the same for the life of the process, and the largest responses the
dashboard sends (dash_ag_grid's bundle alone is 1.3 MB). Starlette's ``GZipMiddleware``
compresses every response again for every browser; :class:`Compression` keeps the gzip of each
such file (by path and query) after its first request and answers the next ones from memory,
``If-None-Match`` included. Everything else (pages, callbacks, assets) goes through
``GZipMiddleware`` as before.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SUITES = "/_dash-component-suites/"
MAX_ENTRIES = 256  # the registered files number about 40; odd query strings are not kept
DROPPED = {b"content-length", b"content-encoding", b"etag", b"vary"}


@dataclass(frozen=True)
class _Entry:
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes | None


class Compression:
    """ASGI middleware: gzip, from memory for files under :data:`SUITES`."""

    def __init__(self, app: ASGIApp, minimum_size: int = 1024) -> None:
        self.app = app
        self.minimum_size = minimum_size
        self.gzip = GZipMiddleware(app, minimum_size=minimum_size)
        self.cache: dict[str, _Entry] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _cacheable(scope):
            await self.gzip(scope, receive, send)
            return
        key = f"{scope['path']}?{scope['query_string'].decode('latin-1')}"
        entry = self.cache.get(key)
        if entry is None:
            status, headers, body = await _collect(self.app, scope, receive)
            if status != 200 or len(body) < self.minimum_size or len(self.cache) >= MAX_ENTRIES:
                await _send(send, status, headers, body)
                return
            entry = self.cache.setdefault(key, _compressed(headers, body))
        if entry.etag is not None and Headers(scope=scope).get("if-none-match") == (
            entry.etag.decode("latin-1")
        ):
            await _send(send, 304, [(b"etag", entry.etag)], b"")
            return
        await _send(send, 200, entry.headers, entry.body)


def _cacheable(scope: Scope) -> bool:
    return (
        scope["type"] == "http"
        and scope["method"] == "GET"
        and scope["path"].startswith(SUITES)
        and "gzip" in Headers(scope=scope).get("accept-encoding", "")
    )


def _compressed(headers: list[tuple[bytes, bytes]], body: bytes) -> _Entry:
    packed = gzip.compress(body, 9, mtime=0)
    etag = next((value for name, value in headers if name.lower() == b"etag"), None)
    if etag is not None:  # the gzip is another representation: another strong validator
        etag = etag[:-1] + b':gzip"' if etag.endswith(b'"') else etag + b":gzip"
    kept = [(name, value) for name, value in headers if name.lower() not in DROPPED]
    kept += [
        (b"content-encoding", b"gzip"),
        (b"content-length", str(len(packed)).encode()),
        (b"vary", b"Accept-Encoding"),
    ]
    if etag is not None:
        kept.append((b"etag", etag))
    return _Entry(kept, packed, etag)


async def _collect(
    app: ASGIApp, scope: Scope, receive: Receive
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Run ``app`` and keep its whole response."""
    start: Message = {}
    chunks: list[bytes] = []

    async def keep(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, keep)
    return int(start["status"]), list(start.get("headers", [])), b"".join(chunks)


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
