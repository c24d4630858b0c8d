"""The wall's "red now" panel: first the open alerts of its unit (not silenced; the most
severe, then the oldest), then the indicators below their norm or target among the unit's
children (worst first), the schools not reported yet, and the ingests that failed (the
pulled sources failing or late among them)."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboards import ids
from dashboards.components.attrs import data_attrs
from dashboards.components.tiles import BAD, gap, name_of
from dashboards.figures import wall as figures
from dashboards.formats import counts, value_text, vn_number
from dashboards.i18n import t
from dashboards.wall.data import key
from dashboards.wall.screens import Panel, Screen
from dashboards.wall.ticker import local, source_line


def below(rows: list[dict[str, Any]], indicators: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Rows below their norm or target (worst first), optionally of some indicators."""
    scored = [
        (g, r)
        for r in rows
        if (not indicators or r["indicator_id"] in indicators) and (g := gap(r)) is not None
    ]
    scored.sort(key=lambda x: (-x[0], x[1].get("unit_code") or "", x[1]["indicator_id"]))
    return [r for _, r in scored]


def _head(label: str, big: str | None = None, tone: str = "none") -> html.Div:
    parts: list[Any] = [html.H3(label)]
    if big is not None:
        parts.append(html.Div(big, className=f"wall-big wall-tone-{tone}"))
    return html.Div(parts, className="wall-col-head")


def by_indicator(bad: list[dict[str, Any]]) -> list[tuple[dict[str, Any], int]]:
    """One row per failing indicator: its worst unit (``bad`` is worst first) and how many
    units fail it, the indicators ordered by their worst gap."""
    worst: dict[str, dict[str, Any]] = {}
    count: dict[str, int] = {}
    for r in bad:
        worst.setdefault(r["indicator_id"], r)
        count[r["indicator_id"]] = count.get(r["indicator_id"], 0) + 1
    return [(row, count[i]) for i, row in worst.items()]


def _red_row(row: dict[str, Any], units: int, children: int, lang: str) -> html.Li:
    unit = figures.unit_text(row, lang)
    reference = "target" if row.get("target_status") in BAD else "norm"
    ref_value = row.get("target_value") if reference == "target" else row.get("norm_value")
    return html.Li(
        [
            html.Strong(name_of(row, lang), className="wall-red-ind"),
            html.Span(
                value_text(row.get("value"), unit, count=counts(row)), className="wall-red-value"
            ),
            html.Span(
                t(
                    "wall.red_where",
                    lang,
                    units=vn_number(units),
                    total=vn_number(children),
                    worst=row.get("unit_name") or row["unit_code"],
                ),
                className="wall-red-unit",
            ),
            html.Span(
                t(
                    "wall.gap",
                    lang,
                    ref=t(f"wall.{reference}", lang),
                    value=value_text(ref_value, unit, count=counts(row)),
                ),
                className="wall-red-ref",
            ),
        ],
        className="wall-red-row",
        **{
            "data-indicator": row["indicator_id"],
            "data-unit": row["unit_code"],
            "data-units": str(units),
        },
    )


SEVERITIES = ("critical", "warning", "info")  # the most severe first


def by_severity_then_age(alerts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Open alerts, the most severe first, then the longest open."""

    def rank(a: dict[str, Any]) -> tuple[int, str, int]:
        severity = a.get("severity")
        order = SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)
        return order, str(a.get("opened_at") or "~"), int(a.get("id") or 0)

    return sorted(alerts, key=rank)


def open_alerts(screen: Screen, panel: Panel, snap: dict[str, Any], lang: str) -> html.Div | None:
    """The strip of open alerts above the panel's columns (None: the API has none for the
    screen's account, so the panel is as it was)."""
    summary = snap.get("alerts")
    if summary is None:
        return None
    total = int(summary.get("total") or 0)
    top = by_severity_then_age(summary.get("top") or [])
    items: list[Any] = [
        html.Li(
            [
                html.Span("", className=f"al-dot al-severity-{a.get('severity')}"),
                # what it found, in words (it names the place and the indicator); the rule's
                # name alone would read the same for every indicator of a commune
                html.Strong(
                    a.get(f"message_{lang}")
                    or a.get(f"rule_{lang}")
                    or a.get("rule_vi")
                    or a.get("rule_key")
                ),
                html.Span(
                    t(
                        "alerts.wall_since",
                        lang,
                        at=local(a.get("opened_at"), screen, snap, "%H:%M %d/%m"),
                    ),
                    className="wall-al-since",
                ),
            ],
            className=f"wall-al-row wall-al-{a.get('severity')}",
            **data_attrs(alert=str(a.get("id")), severity=str(a.get("severity"))),
        )
        for a in top[: panel.rows]
    ]
    if total > len(items) and items:
        more = vn_number(total - len(items))
        items.append(html.Li(t("alerts.wall_more", lang, n=more), className="wall-more"))
    return html.Div(
        [
            _head(t("alerts.wall_head", lang), vn_number(total), "bad" if total else "ok"),
            html.Ul(items, className="wall-al-list")
            if items
            else html.Div(t("alerts.wall_none", lang), className="wall-sub"),
        ],
        className="wall-col wall-alerts",
        id=ids.WALL_RED_ALERTS,
        **data_attrs(count=str(total)),
    )


def red_now(screen: Screen, panel: Panel, snap: dict[str, Any], lang: str) -> html.Div:
    columns = _columns(screen, panel, snap, lang)
    alerts = open_alerts(screen, panel, snap, lang)
    if alerts is None:
        return columns
    return html.Div([alerts, columns], className="wall-red-now")


def _columns(screen: Screen, panel: Panel, snap: dict[str, Any], lang: str) -> html.Div:
    place = snap["places"][key(*screen.place(panel))]
    rows = place.get("child_values") or []
    bad = below(rows, panel.indicators)
    grouped = by_indicator(bad)
    units = {r["unit_code"] for r in bad}
    children = len(place.get("children") or [])
    items = [_red_row(row, n, children, lang) for row, n in grouped[: panel.rows]]
    if len(grouped) > panel.rows:
        more = vn_number(len(grouped) - panel.rows)
        items.append(html.Li(t("wall.red_more", lang, n=more), className="wall-more"))
    units_col = html.Div(
        [
            _head(t("wall.red_units", lang), vn_number(len(grouped)), "bad" if bad else "ok"),
            html.Div(
                t(
                    "wall.red_units_count",
                    lang,
                    units=vn_number(len(units)),
                    total=vn_number(children),
                    pairs=vn_number(len(bad)),
                )
                if bad
                else t("wall.red_units_none", lang),
                className="wall-sub",
            ),
            html.Ul(items, className="wall-red-list"),
        ],
        className="wall-col wall-col-wide",
        id=ids.WALL_RED_UNITS,
        **data_attrs(count=str(len(bad)), indicators=str(len(grouped))),
    )
    total = (place.get("quality") or {}).get("total") or {}
    by_unit = (place.get("quality") or {}).get("by_unit") or []
    missing, late = int(total.get("schools_missing") or 0), int(total.get("schools_late") or 0)
    chase = sorted(
        (u for u in by_unit if u.get("schools_missing")),
        key=lambda u: (-u["schools_missing"], u.get("unit_name") or ""),
    )
    missing_col = html.Div(
        [
            _head(t("wall.missing", lang), vn_number(missing), "bad" if missing else "ok"),
            html.Div(
                t("wall.missing_count", lang, missing=vn_number(missing), late=vn_number(late))
                if missing or late
                else t("wall.missing_none", lang),
                className="wall-sub",
            ),
            html.Ul(
                [
                    html.Li(
                        [
                            html.Strong(u.get("unit_name") or u["unit_code"]),
                            html.Span(
                                t("wall.missing_unit", lang, n=vn_number(u["schools_missing"]))
                            ),
                        ],
                        className="wall-miss-row",
                        **{"data-unit": u["unit_code"], "data-missing": str(u["schools_missing"])},
                    )
                    for u in chase[: panel.rows]
                ],
                className="wall-miss-list",
            ),
        ],
        className="wall-col",
        id=ids.WALL_RED_MISSING,
        **data_attrs(missing=str(missing), late=str(late)),
    )
    failed = snap.get("failed_runs") or []
    sources = snap.get("sources") or []
    bad_count = len(failed) + len(sources)
    failed_col = html.Div(
        [
            _head(
                t("wall.failed", lang, days=screen.failed_days),
                vn_number(bad_count),
                "bad" if bad_count else "ok",
            ),
            html.Div("" if bad_count else t("wall.failed_none", lang), className="wall-sub"),
            html.Ul(
                [
                    html.Li(
                        source_line(r, screen, snap, lang, "wall_row"),
                        className="wall-failed-row wall-source-row",
                        id=f"{ids.WALL_RED_SOURCES}-{r['name']}",
                        **data_attrs(source=r["name"], state=r["state"]),
                    )
                    for r in sources[: panel.rows]
                ]
                + [
                    html.Li(
                        t(
                            "wall.failed_run",
                            lang,
                            run=r["run_id"],
                            when=local(r.get("started_at"), screen, snap, "%H:%M %d/%m"),
                            status=t(f"wall.run_{r['status']}", lang),
                        ),
                        className="wall-failed-row",
                        **data_attrs(run=str(r["run_id"])),
                    )
                    for r in failed[: max(0, panel.rows - len(sources))]
                ],
                className="wall-failed-list",
            ),
        ],
        className="wall-col",
        id=ids.WALL_RED_FAILED,
        **data_attrs(count=str(len(failed)), sources=str(len(sources))),
    )
    return html.Div([units_col, missing_col, failed_col], className="wall-red")
