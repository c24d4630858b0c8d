"""How a wall screen signs in: a display token kept in an httponly cookie.

``/wall?token=ioc_...`` (or ``/wall/open?token=...``) stores the token in the ``ioc_wall``
cookie and redirects to the same address without it, so the token leaves the address bar,
the browser history and later request logs after the first load; the wall's server-side
calls then send it to the API as a bearer token. Without the cookie, the wall uses the
browser's session (a signed-in leader or admin). ``/wall/close`` forgets the token, and so
does signing out (``/_logout``), so a shared browser keeps no display token after it.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import flask
from werkzeug.wrappers import Response

from dashboards.api_client import Api
from dashboards.context import api

WALL_COOKIE = "ioc_wall"
TOKEN = re.compile(r"^[A-Za-z0-9_\-.~]{8,200}$")
YEAR = 365 * 86400


def gate() -> Any:
    """Flask ``before_request`` hook for the wall's addresses; None for any other request."""
    request = flask.request
    if request.path == "/wall/close":
        return forget(flask.redirect("/login"))
    if request.path != "/wall/open" and not (request.path == "/wall" and "token" in request.args):
        return None
    token = request.args.get("token", "").strip()
    rest = [(k, v) for k, v in request.args.items(multi=True) if k != "token"]
    response = flask.redirect("/wall" + (f"?{urlencode(rest)}" if rest else ""))
    if TOKEN.match(token):
        response.set_cookie(
            WALL_COOKIE,
            token,
            max_age=YEAR,  # a wall is not signed in again by anyone
            httponly=True,
            samesite="Lax",
            secure=request.is_secure,
            path="/",
        )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def forget(response: Response) -> Response:
    """Clear the display token cookie (set with the same path and flags as :func:`gate`)."""
    response.delete_cookie(
        WALL_COOKIE, path="/", httponly=True, samesite="Lax", secure=flask.request.is_secure
    )
    return response


def has_token() -> bool:
    return bool(flask.request.cookies.get(WALL_COOKIE))


def wall_api() -> Api:
    """The API as this wall: its display token if it has one, else the browser's session."""
    return api(token=flask.request.cookies.get(WALL_COOKIE) or None)
