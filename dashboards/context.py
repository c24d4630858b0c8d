"""Per-request context: the caller's language and credentials, and the view in the URL.

A view (unit, scheme, period, indicator) lives in the query string, so any page can be
shared as a link. Pages read it from their keyword arguments; links are built here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

import flask

from dashboards.api_client import SCHEMES, SESSION_COOKIE, Api, Credentials, Scheme
from dashboards.i18n import Lang, lang_of

LANG_COOKIE = "ioc_lang"


def lang() -> Lang:
    try:
        return lang_of(flask.request.cookies.get(LANG_COOKIE))
    except RuntimeError:  # outside a request (tests of pure helpers)
        return "vi"


def api(token: str | None = None) -> Api:
    """The API as the browser's caller: their session cookie, or a display token."""
    cookies = flask.request.cookies
    return Api(
        flask.current_app.config["IOC_API_URL"],
        Credentials(session=cookies.get(SESSION_COOKIE), token=token),
    )


@dataclass(frozen=True)
class View:
    """What a page shows: a unit of a scheme, a period and an indicator."""

    scheme: Scheme | None = None
    unit: str | None = None
    period: str | None = None
    indicator: str | None = None

    @classmethod
    def from_query(cls, query: dict[str, Any]) -> View:
        scheme = query.get("scheme")
        return cls(
            scheme=scheme if scheme in SCHEMES else None,
            unit=_clean(query.get("unit"), str.isdigit, 5),
            period=_clean(query.get("period"), lambda v: v[:4].isdigit(), 12),
            indicator=_clean(query.get("indicator"), lambda v: v.replace("_", "").isalnum(), 40),
        )

    def with_(self, **changes: Any) -> View:
        return replace(self, **changes)

    def query(self, **extra: Any) -> str:
        params = {
            "unit": self.unit,
            "scheme": self.scheme,
            "period": self.period,
            "indicator": self.indicator,
            **extra,
        }
        return urlencode({k: v for k, v in params.items() if v not in (None, "")})

    def href(self, path: str, **extra: Any) -> str:
        query = self.query(**extra)
        return f"{path}?{query}" if query else path


def _clean(value: Any, ok: Any, max_len: int) -> str | None:
    if not isinstance(value, str) or not value or len(value) > max_len:
        return None
    return value if ok(value) else None


def safe_next(raw: str | None) -> str:
    """A path of this site to go to (after signing in, after switching language); "/" for
    anything else: another host (``//host``, ``/\\host``, ``https:...``) or any control
    character (browsers drop tabs and newlines, so ``/\t/host`` would be ``//host``)."""
    target = unquote(raw or "/")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return "/"
    parts = urlsplit(target.replace("\\", "/"))
    if not target.startswith("/") or target[1:2] in ("/", "\\") or parts.scheme or parts.netloc:
        return "/"
    return target
