"""The Dash app (Dash Pages, Flask) and how it is mounted beside the API.

The composition root (``ioc serve``) creates the API and mounts this app at ``/``, handing
it what it needs from the settings (the API's address, the wall screens file); the app
reaches data only over HTTP through :mod:`dashboards.api_client`.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dash
import flask
from a2wsgi import WSGIMiddleware
from dash import Dash, dcc, html

from dashboards import ids
from dashboards.api_client import SESSION_COOKIE, ApiProblem
from dashboards.compression import Compression
from dashboards.context import LANG_COOKIE, api, safe_next
from dashboards.i18n import LANGS
from dashboards.json_answers import install as install_json_answers
from dashboards.plotly_js import add_route as add_plotly_js_route
from dashboards.wall.access import forget as forget_wall_token
from dashboards.wall.access import gate as wall_gate
from dashboards.wall.screens import SCREENS_FILE
from dashboards.wall.screens import load as load_screens

HERE = Path(__file__).parent


def create_dash(api_url: str, wall_screens: Path = SCREENS_FILE) -> Dash:
    """The dashboard; a wall screens file that does not validate stops it here, at start
    (:class:`~dashboards.wall.screens.ScreenError` names the file, screen and field)."""
    load_screens(wall_screens)
    install_json_answers()
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder=str(HERE / "pages"),
        assets_folder=str(HERE / "assets"),
        title="IOC-EDU",
        update_title="",  # no "Updating..." title while callbacks run
        suppress_callback_exceptions=True,
        serve_locally=True,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    # a spinner while a page's data is fetched (only for page changes, not every callback)
    app.layout = html.Div(
        dcc.Loading(
            dash.page_container,
            target_components={"_pages_content": "children"},  # type: ignore[arg-type]  # Dash types it {}
            delay_show=250,
            type="circle",
        ),
        id=ids.ROOT,
    )
    server: flask.Flask = app.server
    server.config["IOC_API_URL"] = api_url
    server.config["IOC_WALL_SCREENS"] = wall_screens
    server.add_url_rule("/_lang/<lang>", "set_lang", _set_lang)
    server.add_url_rule("/_logout", "logout", _logout, methods=["POST"])
    server.before_request(wall_gate)  # /wall?token=...: keep the display token in a cookie
    return app


def _set_lang(lang: str) -> Any:
    """Switch the language and go back to the same view (path and query)."""
    target = flask.request.args.get("next")
    referrer = urlsplit(flask.request.referrer or "")
    if target is None and referrer.netloc == flask.request.host:
        target = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    response = flask.redirect(safe_next(target))
    if lang in LANGS:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="Lax")
    return response


def _logout() -> Any:
    """End the session and forget a wall's display token too (a shared browser keeps none).
    POST only (the frame's sign-out button), so that no link or image can sign anyone out."""
    with contextlib.suppress(ApiProblem):  # already signed out
        api().logout()
    response = flask.redirect("/login", code=303)
    secure = flask.request.is_secure
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="Lax", secure=secure)
    return forget_wall_token(response)


def mount(asgi_app: Any, api_url: str, wall_screens: Path = SCREENS_FILE) -> list[str]:
    """Serve the dashboard at ``/`` of the API's ASGI app, compressed; returns the hashes
    of its inline scripts for the Content-Security-Policy."""
    dash_app = create_dash(api_url, wall_screens)
    add_plotly_js_route(asgi_app)
    wsgi = WSGIMiddleware(dash_app.server, workers=16)
    asgi_app.mount("/", Compression(wsgi))  # type: ignore[arg-type]  # a2wsgi's ASGI typing, not Starlette's
    # Dash completes its setup (and registers the last inline scripts, e.g. the pages'
    # title callback) on its first request: make that request now, then hash them all
    dash_app.server.test_client().get("/login")
    return list(dash_app.csp_hashes())
