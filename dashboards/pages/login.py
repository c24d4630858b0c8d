"""Sign in, then go to the role's landing page (or where the user was going)."""

from __future__ import annotations

from typing import Any

import dash
import flask
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from dashboards import ids
from dashboards.api_client import SESSION_COOKIE, ApiProblem
from dashboards.context import api, lang, safe_next
from dashboards.i18n import t

dash.register_page(__name__, name="login", path="/login", title="IOC-EDU · Đăng nhập")

LANDING = {"operator": "/ingest", "display": "/wall"}


def layout(next: str | None = None, **_: Any) -> html.Div:
    language = lang()
    return html.Div(
        html.Form(
            [
                html.H1("IOC-EDU"),
                html.P(t("login.subtitle", language), className="muted"),
                html.Label(t("login.username", language), htmlFor=ids.LOGIN_USER),
                dcc.Input(id=ids.LOGIN_USER, type="text", autoComplete="username", debounce=False),
                html.Label(t("login.password", language), htmlFor=ids.LOGIN_PASSWORD),
                dcc.Input(
                    id=ids.LOGIN_PASSWORD,
                    type="password",
                    autoComplete="current-password",
                    n_submit=0,
                ),
                html.Button(t("login.submit", language), id=ids.LOGIN_SUBMIT, type="button"),
                html.Div(id=ids.LOGIN_ERROR, role="alert", className="login-error"),
                dcc.Store(id=ids.LOGIN_NEXT, data=safe_next(next)),
                dcc.Location(id=ids.LOGIN_GO, refresh=True),
                html.A(
                    "English" if language == "vi" else "Tiếng Việt",
                    href=f"/_lang/{'en' if language == 'vi' else 'vi'}?next=/login",
                    id=ids.LANG_SWITCH,
                    className="lang",
                ),
            ],
            className="login-card",
        ),
        className="login-page",
    )


@callback(
    Output(ids.LOGIN_GO, "href"),
    Output(ids.LOGIN_ERROR, "children"),
    Input(ids.LOGIN_SUBMIT, "n_clicks"),
    Input(ids.LOGIN_PASSWORD, "n_submit"),
    State(ids.LOGIN_USER, "value"),
    State(ids.LOGIN_PASSWORD, "value"),
    State(ids.LOGIN_NEXT, "data"),
    prevent_initial_call=True,
)
def _login(_clicks: Any, _submits: Any, username: str, password: str, target: str) -> Any:
    language = lang()
    if not username or not password:
        return no_update, t("login.missing", language)
    try:
        me, secret = api().login(username, password, flask.request.remote_addr)
    except ApiProblem as problem:
        return no_update, problem.text(language)
    ctx.response.set_cookie(
        SESSION_COOKIE,
        secret,
        httponly=True,
        samesite="Lax",
        secure=flask.request.is_secure,
        path="/",
    )
    if target == "/" and me["role"] in LANDING:
        target = LANDING[me["role"]]
    return target, ""
