"""The dashboard's calls to the API of its own process, without a socket.

When the dashboard runs in the server that serves the API (``IOC_API_URL`` unset), each of
its calls is handed to that server's ASGI application on the process's event loop, as if it
had come in over the loopback: the request log, the browser protection, scopes, limits and
the caller's credentials apply as they do to any request. What it saves is the way there and
back (a connection, HTTP parsed twice, another worker's turn), about a third of a page's
CPU; and a page's calls are answered by the worker that renders it, which reads the build
it serves (the other worker may still be warming a new one).
"""

from __future__ import annotations

import asyncio
import concurrent.futures

import httpx
from starlette.types import ASGIApp, Receive, Scope, Send

#: the base URL of the dashboard's own server (no request leaves the process)
LOCAL_URL = "http://127.0.0.1"
LOOPBACK = ("127.0.0.1", 0)  # the peer the server sees, as for a call over the loopback


class InProcess(httpx.BaseTransport):
    """An httpx transport answering from an ASGI application on its event loop; used from
    the dashboard's (WSGI) threads, never from the loop itself."""

    def __init__(self, timeout: float = 30.0) -> None:
        self._timeout = timeout
        self._asgi: httpx.ASGITransport | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def serve(self, app: ASGIApp) -> ASGIApp:
        """``app`` (the whole server) answers this transport's requests; returns it wrapped
        to learn the event loop it runs on, at its first request."""
        self._asgi = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=LOOPBACK)

        async def bound(scope: Scope, receive: Receive, send: Send) -> None:
            if self._loop is None:
                self._loop = asyncio.get_running_loop()
            await app(scope, receive, send)

        return bound

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        loop, asgi = self._loop, self._asgi
        if loop is None or asgi is None or loop.is_closed():
            raise httpx.ConnectError("the server is not answering yet", request=request)
        # the body read here: the ASGI side reads it asynchronously. No compression: the
        # answer is not sent anywhere.
        headers = [(k, v) for k, v in request.headers.raw if k.lower() != b"accept-encoding"]
        inner = httpx.Request(request.method, request.url, headers=headers, content=request.read())
        future = asyncio.run_coroutine_threadsafe(_answer(asgi, inner), loop)
        try:
            status, raw, body = future.result(self._timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise httpx.ReadTimeout("the server did not answer in time", request=request) from None
        return httpx.Response(status, headers=raw, content=body, request=request)


async def _answer(
    asgi: httpx.ASGITransport, request: httpx.Request
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    response = await asgi.handle_async_request(request)
    body = await response.aread()
    return response.status_code, response.headers.raw, body
