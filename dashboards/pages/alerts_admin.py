"""The alerts page's two lower sections: the silences (list; add one for a rule and a unit
with a reason and an end time; end one early) and the rules (the catalog's and the users';
admins and operators add one within their units). The API checks scopes and input; its
problem text is shown as it answers, in the page's language."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import dash
from dash import ALL, Input, Output, State, callback, dcc, html, no_update

from dashboards import ids
from dashboards.api_client import ApiProblem
from dashboards.components import states
from dashboards.components.attrs import data_attrs
from dashboards.components.datagrid import col, grid
from dashboards.context import api, lang
from dashboards.formats import comma_list, number_text
from dashboards.i18n import Lang, t
from dashboards.pages.alerts_table import SEVERITIES, TIME, rule_name, when, word

SILENCERS = ("admin", "leader", "operator")
ENDS_HINT = "dd/mm/yyyy HH:MM"
RULE_WRITERS = ("admin", "operator")
KINDS = (
    "indicator_norm",
    "indicator_target",
    "change",
    "missing_returns",
    "source_stale",
    "run_failed",
    "data_age",
)
LEVELS = {"2025": ("school", "commune", "province"), "legacy": ("school", "district", "province")}


def _field(label: str, control: Any, id_: str) -> html.Div:
    return html.Div([html.Label(label, htmlFor=id_), control], className="al-field")


def _ok(text: str) -> html.Div:
    return html.Div(text, className="state ok", role="status")


# -- silences ------------------------------------------------------------------------------
def silence_table(rows: list[dict[str, Any]], language: Lang, zone: str, acts: bool) -> Any:
    shown = [s for s in rows if s.get("active")]
    if not shown:
        return states.empty(t("alerts.silences_none", language))
    heads = ["filter_rule", "col_unit", "col_reason", "col_ends", "col_by"]
    head = html.Tr([html.Th(t(f"alerts.{h}", language)) for h in heads] + [html.Th("")])
    lines = []
    for s in shown:
        rule = s.get("rule_key")
        end = html.Button(
            t("alerts.silence_end", language),
            id={"type": ids.ALERTS_SILENCE_END, "id": int(s["id"])},
            className="btn",
        )
        lines.append(
            html.Tr(
                [
                    html.Td(t("alerts.silence_any_rule", language) if rule == "*" else rule),
                    html.Td(s.get("unit_code") or ""),
                    html.Td(s.get("reason") or ""),
                    html.Td(when(s.get("ends_at"), zone)),
                    html.Td(s.get("created_by") or ""),
                    html.Td(end if acts else ""),
                ],
                **data_attrs(silence=str(s["id"])),
            )
        )
    table = html.Table([html.Thead(head), html.Tbody(lines)], className="al-table")
    return html.Div(table, className="al-scroll")


def silences_section(
    rows: list[dict[str, Any]], rules: list[dict[str, Any]], unit: str, page_lang: Lang,
    zone: str, acts: bool,
) -> html.Section:  # fmt: skip
    language = page_lang
    parts: list[Any] = [
        html.H2(t("alerts.silences", language)),
        html.Div(silence_table(rows, language, zone, acts), id=ids.ALERTS_SILENCE_LIST),
    ]
    if acts:
        options = [{"label": t("alerts.silence_any_rule", language), "value": "*"}] + [
            {"label": rule_name(r, language) or r["key"], "value": r["key"]} for r in rules
        ]
        parts.append(
            html.Div(
                [
                    _field(
                        t("alerts.silence_rule", language),
                        dcc.Dropdown(
                            id=ids.ALERTS_SILENCE_RULE,
                            options=options,
                            value="*",
                            clearable=False,
                            className="al-filter",
                        ),
                        ids.ALERTS_SILENCE_RULE,
                    ),
                    _field(
                        t("alerts.silence_unit", language),
                        dcc.Input(id=ids.ALERTS_SILENCE_UNIT, value=unit, type="text"),
                        ids.ALERTS_SILENCE_UNIT,
                    ),
                    _field(
                        t("alerts.silence_reason", language),
                        dcc.Input(id=ids.ALERTS_SILENCE_REASON, value="", type="text"),
                        ids.ALERTS_SILENCE_REASON,
                    ),
                    _field(
                        t("alerts.silence_ends", language),
                        dcc.Input(id=ids.ALERTS_SILENCE_ENDS, type="text", placeholder=ENDS_HINT),
                        ids.ALERTS_SILENCE_ENDS,
                    ),
                    html.Button(
                        t("alerts.silence_add", language),
                        id=ids.ALERTS_SILENCE_ADD,
                        className="btn primary",
                    ),
                ],
                className="al-form",
            )
        )
    parts.append(states.loading(html.Div(id=ids.ALERTS_SILENCE_MESSAGE, role="status")))
    return html.Section(parts, id=ids.ALERTS_SILENCES, className="card")


def local_to_utc(text: str, zone: str) -> str:
    """An end time typed as 'dd/mm/yyyy HH:MM' in the display zone, as ISO with its offset
    (the API's ``ends_at``); ValueError when it is not one."""
    moment = datetime.strptime(" ".join(text.split()), TIME)
    return moment.replace(tzinfo=ZoneInfo(zone)).isoformat()


@callback(
    Output(ids.ALERTS_SILENCE_MESSAGE, "children"),
    Output(ids.ALERTS_SILENCE_LIST, "children"),
    Input(ids.ALERTS_SILENCE_ADD, "n_clicks"),
    Input({"type": ids.ALERTS_SILENCE_END, "id": ALL}, "n_clicks"),
    State(ids.ALERTS_SILENCE_RULE, "value"),
    State(ids.ALERTS_SILENCE_UNIT, "value"),
    State(ids.ALERTS_SILENCE_REASON, "value"),
    State(ids.ALERTS_SILENCE_ENDS, "value"),
    State(ids.ALERTS_VIEW, "data"),
    prevent_initial_call=True,
)
def _silence(
    added: int | None, ended: list[int | None], rule: str | None, unit: str | None,
    reason: str | None, ends: str | None, view: dict[str, Any],
) -> Any:  # fmt: skip
    pressed = dash.ctx.triggered_id
    if not (added or any(ended or [])):
        return no_update, no_update
    language, client = lang(), api()
    zone = client.display_zone()
    try:
        if isinstance(pressed, dict):
            client.end_silence(int(pressed["id"]))
            done = t("alerts.silence_ended", language)
        else:
            if not ((unit or "").strip() and (reason or "").strip() and ends):
                need = t("alerts.silence_needs", language)
                return html.Div(need, className="state state-error"), no_update
            spec = {
                "rule_key": rule or "*",
                "scheme": view["scheme"],
                "unit": (unit or "").strip(),
                "reason": (reason or "").strip(),
                "ends_at": local_to_utc(ends, zone),
            }
            client.create_silence(spec)
            done = t("alerts.silence_added", language)
        rows = client.alert_silences()
    except (ApiProblem, ValueError) as problem:
        if isinstance(problem, ValueError):
            return html.Div(
                t("alerts.silence_needs", language), className="state state-error"
            ), no_update
        return states.error(problem, language), no_update
    return _ok(done), silence_table(rows, language, zone, True)


# -- rules ---------------------------------------------------------------------------------
def rule_rows(rules: list[dict[str, Any]], language: Lang) -> list[dict[str, Any]]:
    return [
        {
            "id": r.get("key"),
            "key": r.get("key"),
            "name": rule_name({"rule_vi": r.get("vi"), "rule_en": r.get("en")}, language),
            "kind": word("kind", r.get("kind"), language),
            "severity": word("severity", r.get("severity"), language),
            "level": word("level", r.get("level"), language),
            "threshold": ""
            if r.get("threshold") is None
            else number_text(r["threshold"], language),
            "source": t(
                f"alerts.rule_source_{'catalog' if r.get('source') == 'catalog' else 'user'}",
                language,
            ),
            "enabled": t(
                "alerts.word_yes" if r.get("enabled", True) else "alerts.word_no", language
            ),
        }
        for r in rules
    ]


def rules_grid(rules: list[dict[str, Any]], language: Lang) -> Any:
    def c(field: str, key: str, **kw: Any) -> dict[str, Any]:
        return col(field, t(f"alerts.col_{key}", language), **kw)

    return grid(
        ids.ALERTS_RULES_GRID,
        [
            c("name", "name", minWidth=220, pinned="left", tooltipField="key"),
            c("kind", "kind", minWidth=180),
            c("severity", "severity", minWidth=110),
            c("level", "level", minWidth=110),
            c("threshold", "threshold", minWidth=90),
            c("source", "source", minWidth=130),
            c("enabled", "enabled", minWidth=90),
            c("key", "key", minWidth=150),
        ],
        rule_rows(rules, language),
        height=None if len(rules) <= 12 else 420,
        lang=language,
    )


def _choice(id_: str, options: list[dict[str, str]], value: str) -> dcc.Dropdown:
    return dcc.Dropdown(
        id=id_, options=options, value=value, clearable=False, className="al-filter"
    )


def rule_form(scheme: str, unit: str, language: Lang) -> html.Div:
    def text(id_: str, key: str, value: str = "") -> html.Div:
        return _field(
            t(f"alerts.{key}", language), dcc.Input(id=id_, value=value, type="text"), id_
        )

    kinds = [{"label": word("kind", k, language), "value": k} for k in KINDS]
    severities = [{"label": word("severity", s, language), "value": s} for s in SEVERITIES]
    levels = [{"label": word("level", v, language), "value": v} for v in LEVELS[scheme]]
    return html.Div(
        [
            html.H3(t("alerts.rule_add", language)),
            html.Div(
                [
                    text(ids.ALERTS_RULE_KEY, "rule_key"),
                    text(ids.ALERTS_RULE_VI, "rule_vi"),
                    text(ids.ALERTS_RULE_EN, "rule_en"),
                    _field(
                        t("alerts.col_kind", language),
                        _choice(ids.ALERTS_RULE_KIND, kinds, "indicator_norm"),
                        ids.ALERTS_RULE_KIND,
                    ),
                    _field(
                        t("alerts.col_severity", language),
                        _choice(ids.ALERTS_RULE_SEVERITY, severities, "warning"),
                        ids.ALERTS_RULE_SEVERITY,
                    ),
                    _field(
                        t("alerts.col_level", language),
                        _choice(ids.ALERTS_RULE_LEVEL, levels, levels[1]["value"]),
                        ids.ALERTS_RULE_LEVEL,
                    ),
                    text(ids.ALERTS_RULE_INDICATORS, "rule_indicators"),
                    text(ids.ALERTS_RULE_THRESHOLD, "col_threshold"),
                    text(ids.ALERTS_RULE_UNITS, "rule_units", unit),
                    text(ids.ALERTS_RULE_ESCALATE, "rule_escalate"),
                    html.Button(
                        t("alerts.rule_add", language),
                        id=ids.ALERTS_RULE_ADD,
                        className="btn primary",
                    ),
                ],
                className="al-form",
            ),
        ]
    )


def rules_section(
    rules: list[dict[str, Any]], scheme: str, unit: str, language: Lang, acts: bool
) -> html.Section:
    return html.Section(
        [
            html.H2(t("alerts.rules", language)),
            html.Div(rules_grid(rules, language), id=ids.ALERTS_RULES_WRAP),
            *([rule_form(scheme, unit, language)] if acts else []),
            states.loading(html.Div(id=ids.ALERTS_RULE_MESSAGE, role="status")),
        ],
        id=ids.ALERTS_RULES,
        className="card",
    )


def _number(text: str | None) -> float | None:
    """A number typed in either language's format ('0,1' or '0.1'); None when blank."""
    cleaned = (text or "").strip().replace(" ", "")
    if not cleaned:
        return None
    return float(cleaned.replace(",", "."))


@callback(
    Output(ids.ALERTS_RULE_MESSAGE, "children"),
    Output(ids.ALERTS_RULES_WRAP, "children"),
    Input(ids.ALERTS_RULE_ADD, "n_clicks"),
    State(ids.ALERTS_RULE_KEY, "value"),
    State(ids.ALERTS_RULE_VI, "value"),
    State(ids.ALERTS_RULE_EN, "value"),
    State(ids.ALERTS_RULE_KIND, "value"),
    State(ids.ALERTS_RULE_SEVERITY, "value"),
    State(ids.ALERTS_RULE_LEVEL, "value"),
    State(ids.ALERTS_RULE_INDICATORS, "value"),
    State(ids.ALERTS_RULE_THRESHOLD, "value"),
    State(ids.ALERTS_RULE_UNITS, "value"),
    State(ids.ALERTS_RULE_ESCALATE, "value"),
    State(ids.ALERTS_VIEW, "data"),
    prevent_initial_call=True,
)
def _add_rule(
    clicks: int | None, key: str | None, vi: str | None, en: str | None, kind: str,
    severity: str, level: str, indicators: str | None, threshold: str | None,
    units: str | None, escalate: str | None, view: dict[str, Any],
) -> Any:  # fmt: skip
    if not clicks:
        return no_update, no_update
    language, client = lang(), api()
    try:
        limit, hours = _number(threshold), _number(escalate)
    except ValueError:
        return html.Div(
            t("alerts.rule_threshold_number", language), className="state state-error"
        ), no_update
    spec: dict[str, Any] = {
        "key": (key or "").strip(),
        "vi": (vi or "").strip(),
        "en": (en or "").strip() or (vi or "").strip(),
        "kind": kind,
        "severity": severity,
        "level": level,
        "scheme": view["scheme"],
        "indicators": comma_list(indicators),
        "units": [{"scheme": view["scheme"], "code": c} for c in comma_list(units)],
    }
    if limit is not None:
        spec["threshold"] = limit
    if hours is not None:
        spec["escalate_after_hours"] = hours
    try:
        client.create_alert_rule(spec)
        rules = client.alert_rules()
    except ApiProblem as problem:
        return states.error(problem, language), no_update
    return _ok(t("alerts.rule_added", language, rule=spec["key"])), rules_grid(rules, language)
