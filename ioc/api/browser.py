"""Browser protections for everything the server answers (API, dashboard, assets), as one
plain ASGI middleware in front of the whole application:

- a state-changing request (POST, PUT, PATCH, DELETE) that carries a session cookie and no
  bearer token must come from the product's own origin: its ``Origin`` (or, without one,
  its ``Referer``) names the address the request was made to, or one of
  ``IOC_PUBLIC_ORIGINS``; otherwise 403. A request with neither header is not a browser's
  cross-site request (browsers send ``Origin`` on every cross-site POST) and passes;
- every answer says it may not be framed, sniffed or leak its address to other sites, and
  carries a Content-Security-Policy that lets the dashboard run: scripts only from the
  server itself plus the dashboard's own inline scripts by their hashes.

Who the client is and whether it came over HTTPS is settled before this, by uvicorn's
proxy headers handling limited to ``IOC_TRUSTED_PROXIES``.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ioc.api.errors import problem
from ioc.config import Settings

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SESSION_COOKIES = ("ioc_session=", "ioc_wall=")
DEFAULT_PORTS = {"http": 80, "https": 443}


def content_security_policy(scripts: Iterable[str]) -> str:
    """Scripts from the server and the given inline-script hashes; styles may be inline
    (Dash components and plotly.js set style attributes); maps draw in blob: workers."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src " + " ".join(["'self'", *scripts]),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an absolute http(s) URL; None for anything else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port or DEFAULT_PORTS[parts.scheme]


class BrowserProtection:
    def __init__(self, app: ASGIApp, settings: Settings, scripts: Iterable[str] = ()) -> None:
        self.app = app
        self.allowed = {o for o in map(_origin, settings.public_origins) if o is not None}
        csp = content_security_policy(scripts)
        self.headers = [
            (b"content-security-policy", csp.encode()),
            (b"x-frame-options", b"DENY"),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"same-origin"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] in UNSAFE and not self._same_origin(scope):
            await problem(
                403,
                "cross_site_request",
                "Yêu cầu thay đổi dữ liệu đến từ một trang web khác nên bị từ chối",
                "A request that changes data came from another site (its Origin or Referer "
                "is not this server's address) and was refused",
            )(scope, receive, self._with_headers(send))
            return
        await self.app(scope, receive, self._with_headers(send))

    def _same_origin(self, scope: Scope) -> bool:
        headers = Headers(scope=scope)
        cookie = headers.get("cookie", "")
        if headers.get("authorization") or not any(c in cookie for c in SESSION_COOKIES):
            return True  # a bearer token or no session: nothing a browser sends by itself
        claimed = headers.get("origin") or headers.get("referer")
        if claimed is None:
            return True
        origin = _origin(claimed)
        if origin is None:  # "null" (sandboxed frames, privacy redirects) or malformed
            return False
        own = _origin(f"{scope['scheme']}://{headers.get('host', '')}")
        return origin == own or origin in self.allowed

    def _with_headers(self, send: Send) -> Send:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in self.headers if n not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        return sending
