"""The frame of every signed-in page: header with unit, period, scheme, language and
account; navigation that keeps the view; data-as-of badge. Also resolves the view."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

import dash
from dash import Input, NoUpdate, Output, State, callback, dcc, html, no_update

from dashboards import ids
from dashboards.api_client import SCHEMES, Api, ApiProblem, Me, PeriodRow, Scheme, UnitWithChildren
from dashboards.components import states
from dashboards.context import View, api, lang
from dashboards.formats import datetime_text
from dashboards.i18n import Lang, t
from ioc.domain.period import Period

DEFAULT_INDICATOR = "NET_CLASS_SIZE"


# who sees a menu entry unless its page names fewer roles (the display role has no menu)
MENU_ROLES = ("admin", "leader", "analyst", "operator", "approver")


def menu(role: str) -> list[tuple[str, str]]:
    """(path, label key) of the pages in the menu this role sees, in the pages' order.

    Each page says so where it registers (``dash.register_page``): ``order``, ``menu=True``,
    ``label`` (a catalog key) and, when fewer roles may open it, ``menu_roles``."""
    return [
        (page["path"], page["label"])
        for page in dash.page_registry.values()
        if page.get("menu") and role in page.get("menu_roles", MENU_ROLES)
    ]


@dataclass(frozen=True)
class Page:
    """A resolved view with what every page needs from the API."""

    api: Api
    lang: Lang
    me: Me
    view: View
    unit: UnitWithChildren
    periods: list[PeriodRow]
    data_as_of: str | None
    zone: str  # the display time zone every time on the page is shown in

    @property
    def period(self) -> str:
        """The period shown: resolve() gives a Page only once it knows one."""
        if self.view.period is None:
            raise ValueError("a resolved page has a period")
        return self.view.period


@dataclass(frozen=True)
class Bare:
    """A signed-in account on an installation where no data has been published yet."""

    api: Api
    lang: Lang
    me: Me


def resolve(path: str, query: dict[str, Any], *, bare: bool = False) -> Page | Bare | Any:
    """Fill the view's gaps (home unit, latest period, scheme of the period), or return
    what to show instead: a redirect to the login page, a readable error, or before any data
    the empty state that leads to the ingest page (a :class:`Bare` page when ``bare``)."""
    language = lang()
    client = api()
    here = f"{path}?{urlencode(query)}" if query else path
    try:
        me = client.me()
    except ApiProblem as problem:
        if problem.status == 401:
            return states.to_login(here)
        return states.error(problem, language)
    if me["role"] == "display":
        return dcc.Location(id=ids.TO_WALL, href="/wall")
    view = View.from_query(query)
    try:
        periods = client.periods()
        home = me.get("home")
        home_scheme, home_code = (home["scheme"], home["code"]) if home else (None, None)
        period = view.period or (periods[0]["period"] if periods else None)
        # a scoped account stays in the scheme of its units; others follow the period's
        scheme = view.scheme or (
            home_scheme if me["units"] else _scheme_of(period, periods) or home_scheme or "legacy"
        )
        code = view.unit or (home_code if home_scheme == scheme else None)
        if code is None and home_scheme and home_code:
            counterparts = client.unit(home_scheme, home_code).get("counterparts", [])
            code = counterparts[0]["code"] if counterparts else home_code
        view = view.with_(
            scheme=scheme, unit=code, period=period, indicator=view.indicator or DEFAULT_INDICATOR
        )
        unit = client.unit(scheme, code) if code and scheme else None
        health = client.build_health()
    except ApiProblem as problem:
        if problem.code == "no_data":
            page = Bare(client, language, me)
            return page if bare else frame_bare(page, path, states.no_data(language))
        return frame_error(problem, language, me, view, path)
    if unit is None:
        return states.empty(t("state.no_unit", language))
    zone = client.display_zone()
    return Page(client, language, me, view, unit, periods, health.get("data_as_of"), zone)


def _scheme_of(period: str | None, periods: list[PeriodRow]) -> Scheme | None:
    return next((p["scheme"] for p in periods if p["period"] == period), None)


def frame(page: Page, path: str, body: Any, title: str | None = None) -> html.Div:
    """The page inside the header and navigation."""
    return html.Div(
        [_header(page, path), html.Main([_title(page, title), body], className="page-body")],
        className="app",
    )


def frame_bare(page: Bare, path: str, body: Any) -> html.Div:
    """A page before any data: the header with the ingest link (for who may upload)."""
    active = {True: "nav-link active", False: "nav-link"}
    links = [
        html.A(t(key, page.lang), href=href, className=active[href == path])
        for href, key in menu(page.me["role"])
        if href == "/ingest"
    ]
    return html.Div(
        [
            html.Header(
                [
                    html.A("IOC-EDU", href="/", className="brand"),
                    html.Nav(links, className="nav"),
                    _account(page.me, page.lang, path),
                ],
                className="topbar",
            ),
            html.Main(body, className="page-body"),
        ],
        className="app",
    )


def frame_error(problem: ApiProblem, language: Lang, me: Me, view: View, path: str) -> html.Div:
    return html.Div(
        [
            html.Header(
                [html.A("IOC-EDU", href="/", className="brand"), _account(me, language, path)],
                className="topbar",
            ),
            html.Main(states.error(problem, language), className="page-body"),
        ],
        className="app",
    )


def _title(page: Page, title: str | None) -> html.Div:
    unit = page.unit
    crumbs: list[Any] = []
    if unit.get("parent_code") and may_open_parent(page.me, unit):
        parent = page.view.with_(unit=unit["parent_code"])
        crumbs = [html.A("↑", href=parent.href("/unit"), className="crumb", title="parent")]
    return html.Div(
        [
            *crumbs,
            html.H1([unit["name"], html.Span(f" · {page.view.period}", className="muted")]),
            html.Span(title or "", className="page-title"),
        ],
        className="title-row",
    )


def may_open_parent(me: Me, unit: UnitWithChildren) -> bool:
    """An account scoped to some units gets no link to a parent the API would refuse."""
    if me["role"] in ("admin", "leader", "display"):
        return True
    inside = {u["code"] for u in me.get("units", []) if u["scheme"] == unit["scheme"]}
    return bool(inside & {unit["parent_code"], unit.get("province_code")})


def _header(page: Page, path: str) -> html.Header:
    language, view = page.lang, page.view
    links = [
        html.A(
            t(key, language),
            href=view.href(target),
            className="nav-link active" if target == path else "nav-link",
        )
        for target, key in menu(page.me["role"])
    ]
    period_options = [
        {
            "label": Period.parse(p["period"]).label(language),
            "value": p["period"],
        }
        for p in page.periods
    ]
    controls = html.Div(
        [
            html.Label(t("nav.period", language), htmlFor=ids.NAV_PERIOD, className="ctl-label"),
            dcc.Dropdown(
                id=ids.NAV_PERIOD,
                options=period_options,
                value=view.period,
                clearable=False,
                searchable=False,
                className="ctl-period",
            ),
            dcc.RadioItems(
                id=ids.NAV_SCHEME,
                options=[
                    {"label": t("scheme.legacy", language), "value": "legacy"},
                    {"label": t("scheme.2025", language), "value": "2025"},
                ],
                value=view.scheme,
                inline=True,
                className="ctl-scheme",
            ),
            dcc.Location(id=ids.NAV_GO, refresh="callback-nav"),
        ],
        className="controls",
    )
    as_of = html.Span(
        [t("nav.data_as_of", language), " ", datetime_text(page.data_as_of, page.zone)],
        className="badge badge-asof",
        id=ids.DATA_AS_OF,
    )
    return html.Header(
        [
            html.Div(
                [
                    html.A("IOC-EDU", href=view.href("/"), className="brand"),
                    _menu_button(language),
                    html.Div(
                        [html.Nav(links, className="nav"), _account(page.me, language, path)],
                        className="nav-menu",
                        id=ids.NAV_MENU,
                    ),
                ],
                className="topbar",
            ),
            html.Div([controls, as_of], className="subbar"),
        ]
    )


def _menu_button(language: Lang) -> dcc.Checklist:
    """On a phone the navigation folds behind a menu button: a checkbox styled as a button
    that opens the menu with CSS alone (``:has(:checked)``; the CSP allows no inline
    script, and the checkbox keeps its state in the browser without a callback). On a desk
    it is hidden and the menu is laid out in the top bar."""
    return dcc.Checklist(
        id=ids.NAV_TOGGLE,
        options=[{"label": "☰ " + t("nav.menu", language), "value": "open"}],
        value=[],
        className="nav-toggle",
        inputClassName="nav-toggle-input",
        labelClassName="nav-button",
    )


def _account(me: Me, language: Lang, path: str) -> html.Div:
    other = "en" if language == "vi" else "vi"
    return html.Div(
        [
            html.A(
                "English" if other == "en" else "Tiếng Việt",
                href=f"/_lang/{other}",
                id=ids.LANG_SWITCH,
                className="lang",
            ),
            html.Span(f"{me['username']} · {t('role.' + me['role'], language)}", className="who"),
            # a form, not a link: signing out changes state, so it is a POST
            html.Form(
                html.Button(t("nav.logout", language), type="submit", id=ids.LOGOUT),
                method="post",
                action="/_logout",
                className="logout",
            ),
        ],
        className="account",
    )


@callback(
    Output(ids.NAV_GO, "href"),
    Input(ids.NAV_PERIOD, "value"),
    Input(ids.NAV_SCHEME, "value"),
    State(ids.NAV_GO, "pathname"),
    State(ids.NAV_GO, "search"),
    prevent_initial_call=True,
)
def _navigate(period: str, scheme: str, path: str, search: str) -> str | NoUpdate:
    query = dict(parse_qsl((search or "").lstrip("?")))
    if query.get("period") == period and query.get("scheme") == scheme:
        return no_update
    if query.get("scheme") and query.get("scheme") != scheme and query.get("unit"):
        # the same place in the other scheme: the province that holds most of its communes
        try:
            old = query["scheme"]
            counterparts = (
                api().unit(old, query["unit"]).get("counterparts", []) if old in SCHEMES else []
            )
        except ApiProblem:
            counterparts = []
        query["unit"] = counterparts[0]["code"] if counterparts else ""
        query.pop("school", None)
    query.update(period=period, scheme=scheme)
    return f"{path}?{urlencode({k: v for k, v in query.items() if v})}"
