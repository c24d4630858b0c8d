"""A school's profile: identity and place in both unit schemes, where its data came from
(pulled from a source, or a file), its indicators against norms for the chosen period, every
field over time, data-quality findings and the files its figures came from."""

from __future__ import annotations

import dataclasses
from typing import Any

import dash
from dash import html

from dashboards import ids
from dashboards.api_client import ApiProblem, Me
from dashboards.components import states
from dashboards.components.datagrid import (
    col,
    fit_height,
    grid,
    status_col,
    text_col,
    value_col,
)
from dashboards.components.downloads import downloads
from dashboards.components.frame import Page, frame, resolve
from dashboards.components.indicators import FAMILIES
from dashboards.components.labels import catalog_text, enum_label, field_text
from dashboards.formats import cell_value, value_text, vn_number, vn_value
from dashboards.i18n import Lang, t
from dashboards.pages.school_files import files_section
from dashboards.pages.school_source import source_lines
from ioc.domain.period import Period
from ioc.domain.units import LEVELS, levels_above, place_column

dash.register_page(__name__, name="school", path="/school", title="IOC-EDU · Hồ sơ trường")

# identity fields shown in the header rather than over time
NOT_OVER_TIME = {
    "school_code",
    "school_name",
    "province_code",
    "district_code",
    "commune_code",
    "latitude",
    "longitude",
    "school_year",
    "term",
}
_FIELDS: dict[str, Any] = {}


def layout(code: str | None = None, **query: Any) -> Any:
    page = resolve("/school", {"code": code, **query} if code else query)
    if not isinstance(page, Page):
        return page
    language = page.lang
    if not code:
        return frame(page, "/school", states.empty(t("school.no_code", language)))
    try:
        shown = Period.maybe(page.view.period)  # the indicators of the period shown only
        profile = page.api.school(code, str(shown) if shown else None)
        if not query.get("unit"):
            page = _at_school(page, profile["school"])
        fields = _fields(page)
    except ApiProblem as problem:
        return frame(page, "/school", states.error(problem, language), t("school.title", language))
    body = html.Div(
        [
            _identity(page, profile),
            _indicators(page, code, profile),
            _over_time(page, code, profile, fields),
            _findings(page, code, profile),
            files_section(page, code, profile),
        ],
        className="school-page",
    )
    return frame(page, "/school", body, t("school.title", language))


def _at_school(page: Page, school: dict[str, Any]) -> Page:
    """Without a unit in the address, the view is the school's own old district (or its
    commune in the 2025 scheme), so the header and links stay around the school."""
    scheme = page.view.scheme or "legacy"
    unit = school.get(place_column(scheme, LEVELS[scheme][1]))  # the level below the province
    if not unit:
        return page
    return dataclasses.replace(
        page, view=page.view.with_(unit=unit), unit=page.api.unit(scheme, unit)
    )


def _fields(page: Page) -> dict[str, Any]:
    if not _FIELDS:
        _FIELDS.update(page.api.fields())
    return _FIELDS


def may_open(me: Me, scheme: str, code: str, ancestors: list[str]) -> bool:
    """Whether the account may open a unit (the API would refuse the others): an account
    scoped to some units may open those and the units inside them."""
    if me["role"] in ("admin", "leader"):
        return True
    inside = {u["code"] for u in me.get("units", []) if u["scheme"] == scheme}
    return bool(inside & {code, *ancestors})


# -- identity ----------------------------------------------------------------------------
def _identity(page: Page, profile: dict[str, Any]) -> html.Section:
    language, view = page.lang, page.view
    school = profile["school"]
    latest = profile["returns"][-1] if profile["returns"] else {}
    facts = [
        (t("school.code", language), school["school_code"]),
        (t("school.level", language), enum_label("level", school.get("level"), language)),
        (
            t("school.ownership", language),
            enum_label("ownership", school.get("ownership"), language),
        ),
        (
            t("school.school_type", language),
            enum_label("school_type", school.get("school_type"), language),
        ),
        (t("school.area", language), enum_label("area", school.get("area"), language)),
        (
            t("school.returns_count", language),
            f"{vn_number(school.get('returns_count'))} "
            f"({school.get('first_period') or '—'} → {school.get('last_period') or '—'})",
        ),
    ]
    if "national_standard" in latest:
        standard = latest.get("national_standard")
        facts.append(
            (
                _label_of("national_standard", language),
                field_text("flag", "national_standard", standard, language),
            )
        )
    places = {(p["scheme"], p["level"]): p for p in profile.get("places", [])}

    def place(scheme: str, level: str) -> html.Li:
        found = places.get((scheme, level))
        code = school.get(place_column(scheme, level))
        ancestors = [school.get(place_column(scheme, up)) for up in levels_above(scheme, level)]
        name: Any = found["name"] if found else (code or "—")
        if found and may_open(page.me, scheme, found["code"], ancestors):
            target = view.with_(scheme=scheme, unit=found["code"])
            if scheme != view.scheme:
                target = target.with_(period=_period_of_scheme(page, scheme))
            name = html.A(name, href=target.href("/unit"))
        return html.Li(
            [
                html.Span(t(f"school.{level}", language), className="lvl"),
                name,
                f" ({code})" if code else "",
            ]
        )

    legacy = [place("legacy", level) for level in LEVELS["legacy"]]
    new = [place("2025", level) for level in LEVELS["2025"]]
    warning = (
        [html.P(t("school.place_ambiguous", language), className="warn")]
        if school.get("is_place_ambiguous")
        else []
    )
    return html.Section(
        [
            html.Div(
                [
                    html.H2(school["school_name"], id=ids.SCHOOL_NAME),
                    html.Span(school["school_code"], className="muted"),
                ],
                className="school-head",
            ),
            html.Dl(
                [html.Div([html.Dt(k), html.Dd(v)]) for k, v in facts],
                className="facts",
            ),
            source_lines(page, profile),
            html.Div(
                [
                    html.Div([html.H3(t("school.place_legacy", language)), html.Ol(legacy)]),
                    html.Div([html.H3(t("school.place_2025", language)), html.Ol(new)]),
                ],
                className="places",
            ),
            *warning,
        ],
        id=ids.SCHOOL_IDENTITY,
        className="card",
    )


def _label_of(name: str, language: Lang) -> str:
    for field in _FIELDS.get("fields", []):
        if field["name"] == name:
            return str(field[language])
    return name


def _period_of_scheme(page: Page, scheme: str) -> str | None:
    """The latest period of a scheme (to open a unit of the other scheme where it exists)."""
    if page.view.period and any(
        p["period"] == page.view.period and p["scheme"] == scheme for p in page.periods
    ):
        return page.view.period
    return next((p["period"] for p in page.periods if p["scheme"] == scheme), page.view.period)


# -- indicators against norms ------------------------------------------------------------
def _indicators(page: Page, code: str, profile: dict[str, Any]) -> html.Section:
    language, view = page.lang, page.view
    at = Period.maybe(view.period)
    rows = [
        r
        for r in profile["indicators"]
        if at and r["school_year"] == at.school_year and r["term"] == at.term
    ]
    order = {f: i for i, f in enumerate(FAMILIES)}
    rows.sort(key=lambda r: order.get(r.get("family"), 99))
    content: Any
    if not rows:
        content = states.empty(t("school.no_indicators", language))
    else:
        data = []
        for r in rows:
            unit = r.get(f"unit_{language}") or ""
            status = r.get("norm_status") or "no_norm"
            data.append(
                {
                    "id": r["indicator_id"],
                    "family": t(f"family.{r.get('family')}", language),
                    "indicator": r.get(f"name_{language}") or r["indicator_id"],
                    "value": r.get("value"),
                    "value_text": value_text(r.get("value"), unit),
                    "norm": r.get("norm_value"),
                    "norm_text": value_text(r.get("norm_value"), unit),
                    "status": t(f"status.{status}", language),
                    "status_code": status,
                    "fraction": r.get("denominator"),
                    "fraction_text": (
                        f"{vn_value(r.get('numerator'))} / {vn_value(r.get('denominator'))}"
                    ),
                }
            )
        columns = [
            # on a phone the name stays (pinned, wrapped) and the figures scroll beside it,
            # each wide enough for its unit ("25 HS/lớp")
            col(
                "indicator",
                t("common.indicator", language),
                pinned="left",
                width=300,
                minWidth=150,
                wrapText=True,
                autoHeight=True,
                cellClass="cell-wrap",
                tooltipField="indicator",
            ),
            text_col("value", t("common.value", language)),
            status_col("status", t("common.status", language)),
            text_col("norm", t("unit.norm", language)),
            text_col("fraction", t("unit.fraction", language)),
            col("family", t("school.group", language), minWidth=140),
        ]
        content = grid(ids.SCHOOL_INDICATORS, columns, data, height=fit_height(len(data), 520))
    return html.Section(
        [
            html.H2(
                [
                    t("school.indicators", language),
                    html.Span(f" · {view.period}", className="muted"),
                ]
            ),
            content,
            downloads(f"/schools/{code}/indicators", language, period=view.period),
        ],
        className="card",
    )


# -- every field over time ---------------------------------------------------------------
def _over_time(
    page: Page, code: str, profile: dict[str, Any], fields: dict[str, Any]
) -> html.Section:
    language = page.lang
    returns = profile["returns"]
    groups = {g["id"]: g[language] for g in fields.get("groups", [])}
    periods = [(r["school_year"], r["term"]) for r in returns]
    data = []
    for field in fields.get("fields", []):
        name = field["name"]
        if name in NOT_OVER_TIME or not any(name in r for r in returns):
            continue
        row: dict[str, Any] = {
            "id": name,
            "group": groups.get(field["group"], field["group"]),
            "field": field[language],
        }
        for i, r in enumerate(returns):
            row[f"p{i}"] = field_text(field["type"], name, r.get(name), language)
        data.append(row)
    columns = [
        col(
            "field",
            t("school.field", language),
            pinned="left",
            width=220,
            minWidth=140,
            tooltipField="field",
        ),
        *[
            col(
                f"p{i}",
                Period.of(y, tm).column_label(language),
                type="rightAligned",
                width=128,
                minWidth=100,
                sortable=False,
            )
            for i, (y, tm) in enumerate(periods)
        ],
        col("group", t("school.group", language), width=170, minWidth=120),
    ]
    return html.Section(
        [
            html.H2(t("school.fields", language)),
            _wide_grid(ids.SCHOOL_FIELDS, columns, data),
            downloads(f"/schools/{code}/returns", language),
        ],
        className="card",
    )


def _wide_grid(id_: str, columns: list[dict[str, Any]], rows: list[dict[str, Any]]) -> Any:
    """A grid whose columns keep their widths (scrolls sideways inside itself)."""
    component = grid(id_, columns, rows, height=520)
    component.columnSize = None
    return component


# -- findings and files ------------------------------------------------------------------
def _findings(page: Page, code: str, profile: dict[str, Any]) -> html.Section:
    language = page.lang
    rows = [
        {
            "id": str(i),
            "period": f"{f['school_year']}/{f['term']}",
            "rule": catalog_text(f, "rule", language),
            "field": catalog_text(f, "field", language),
            "value": cell_value(f.get("value"), f.get("field"), language),
            "message": catalog_text(f, "message", language),
        }
        for i, f in enumerate(reversed(profile["findings"]))
    ]
    content: Any = states.empty(t("school.no_findings", language))
    if rows:
        columns = [
            col("period", t("common.period", language), width=135, minWidth=125),
            col("rule", t("quality.rule", language), minWidth=150),
            col("field", t("quality.field", language), minWidth=120),
            value_col("value", t("quality.value", language), language, minWidth=110),
            col(
                "message",
                t("quality.message", language),
                minWidth=220,
                flex=2,
                tooltipField="message",
            ),
        ]
        content = grid(ids.SCHOOL_FINDINGS, columns, rows, height=fit_height(len(rows), 360))
    return html.Section(
        [
            html.H2(t("school.findings", language)),
            content,
            downloads(f"/schools/{code}/findings", language),
        ],
        className="card",
    )
