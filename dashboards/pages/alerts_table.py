"""The alerts page's list: the filters (state, severity, unit, rule, silenced), the counts of
the filtered set by state and severity, the table and its CSV/XLSX links. Rows are built
from the API's answers with every word, number and time already in the reader's language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import dcc, html

from dashboards import ids
from dashboards.components.attrs import data_attrs
from dashboards.components.datagrid import col, fit_height, grid, status_col
from dashboards.components.downloads import downloads
from dashboards.formats import number_text
from dashboards.i18n import Lang, t
from ioc.domain.formats import local_datetime

SEVERITIES = ("critical", "warning", "info")  # the most severe first
STATES = ("open", "acknowledged", "resolved", "recovered")
OPEN = ("open", "acknowledged")
#: the state filter's choices: "" = the API's default (open and acknowledged)
STATE_CHOICES = ("", "open", "acknowledged", "resolved", "recovered", "all")
TIME = "%d/%m/%Y %H:%M"  # how the page writes an instant (in the display zone)


def word(group: str, value: str | None, language: Lang) -> str:
    """A code in words from the catalog (``alerts.<group>_<value>``), '—' for none, the
    code itself when the catalog has no word for it."""
    if not value:
        return "—"
    try:
        return t(f"alerts.{group}_{value}", language)
    except KeyError:
        return value


def when(value: Any, zone: str) -> str:
    """An instant as '09/03/2026 17:15' in the display zone."""
    return local_datetime(value, zone, TIME)


def rule_name(row: dict[str, Any], language: Lang) -> str:
    return str(row.get(f"rule_{language}") or row.get("rule_vi") or row.get("rule_key") or "")


def value_vs(row: dict[str, Any], language: Lang) -> str:
    """The value against the threshold: '41,2 (ngưỡng 0,1)'; '—' without a value."""
    value, limit = row.get("value"), row.get("threshold")
    if value is None:
        return (
            "—"
            if limit is None
            else t("alerts.value_vs", language, value="—", threshold=number_text(limit, language))
        )
    if limit is None:
        return number_text(value, language)
    return t(
        "alerts.value_vs",
        language,
        value=number_text(value, language),
        threshold=number_text(limit, language),
    )


def subject(row: dict[str, Any]) -> str:
    name, code = row.get("subject_name") or "", row.get("subject_code") or ""
    return f"{name} ({code})" if name and name != code else str(code)


def alert_rows(
    rows: list[dict[str, Any]], names: dict[str, str], language: Lang, zone: str
) -> list[dict[str, Any]]:
    """The table's rows; ``names``: unit names by code (the unit shown by code otherwise)."""
    out = []
    for r in rows:
        unit = str(r.get("unit_code") or "")
        severity, state = str(r.get("severity") or ""), str(r.get("state") or "")
        out.append(
            {
                "id": r.get("id"),
                "severity": word("severity", severity, language),
                "severity_code": severity,
                "severity_rank": SEVERITIES.index(severity) if severity in SEVERITIES else 9,
                "rule": rule_name(r, language),
                "message": r.get(f"message_{language}") or r.get("message_vi") or "",
                "subject": subject(r),
                "unit": names.get(unit, unit) or "—",
                "value": value_vs(r, language),
                "opened": when(r.get("opened_at"), zone),
                "opened_at": r.get("opened_at") or "",
                "state": word("state", state, language),
                "state_code": state,
                "ack_by": r.get("acknowledged_by") or "",
                "silenced": bool(r.get("silenced_until")),
            }
        )
    return out


def alerts_grid(rows: list[dict[str, Any]], language: Lang) -> Any:
    def c(field: str, key: str, **kw: Any) -> dict[str, Any]:
        return col(field, t(f"alerts.col_{key}", language), **kw)

    severity = {
        "field": "severity_rank",
        "headerName": t("alerts.col_severity", language),
        "valueFormatter": {"function": "params.data ? params.data['severity'] : ''"},
        "cellClass": {
            "function": "params.data ? 'al-sev al-sev-' + params.data['severity_code'] : ''"
        },
        "minWidth": 125,
        "pinned": "left",
    }
    opened = {
        "field": "opened_at",
        "headerName": t("alerts.col_opened", language),
        "valueFormatter": {"function": "params.data ? params.data['opened'] : ''"},
        "minWidth": 140,
    }
    return grid(
        ids.ALERTS_GRID,
        [
            severity,
            c("rule", "rule", minWidth=200, tooltipField="message"),
            c("subject", "subject", minWidth=170, tooltipField="subject"),
            c("unit", "unit", minWidth=120),
            c("value", "value", minWidth=150),
            opened,
            status_col("state", t("alerts.col_state", language), minWidth=120),
            c("ack_by", "ack_by", minWidth=120),
        ],
        rows,
        height=fit_height(len(rows)),
        selectable=True,
        lang=language,
    )


def counts_bar(counts: dict[str, Any], total: int, language: Lang) -> html.Div:
    """The filtered set's number, then by state and by severity (those with any)."""
    by_state = counts.get("state") or {}
    by_severity = counts.get("severity") or {}

    def chip(group: str, code: str, n: int) -> html.Span:
        text = t(
            "alerts.count_item",
            language,
            label=word(group, code, language),
            n=number_text(n, language),
        )
        return html.Span(
            text,
            className=f"badge al-count al-{group}-{code}",
            **data_attrs(**{group: code, "n": str(n)}),
        )

    chips = [chip("state", s, int(by_state[s])) for s in (*STATES, "pending") if by_state.get(s)]
    chips += [chip("severity", s, int(by_severity[s])) for s in SEVERITIES if by_severity.get(s)]
    head = html.Strong(t("alerts.total", language, n=number_text(total, language)))
    return html.Div(
        [head, *chips], id=ids.ALERTS_COUNTS, className="al-counts", **data_attrs(total=str(total))
    )


def export_links(filters: dict[str, Any], language: Lang) -> html.Div:
    """The CSV and Excel links of the same query as the table's."""
    return downloads(
        "/alerts", language, id_=ids.ALERTS_DOWNLOADS, id_prefix=ids.ALERTS_DOWNLOADS, **filters
    )


def _dropdown(id_: str, label: str, options: list[dict[str, str]], value: str) -> html.Div:
    return html.Div(
        [
            html.Label(label, htmlFor=id_),
            dcc.Dropdown(
                id=id_, options=options, value=value, clearable=False, className="al-filter"
            ),
        ],
        className="al-field",
    )


def filters_bar(
    units: list[tuple[str, str]],
    rules: list[dict[str, Any]],
    chosen: dict[str, str],
    language: Lang,
) -> html.Div:
    """The pickers; ``units``: (code, name) of the view's unit and its children;
    ``chosen``: the values to start from (the address's)."""
    states = [
        {
            "label": t("alerts.state_active" if s == "" else f"alerts.state_{s}", language),
            "value": s,
        }
        for s in STATE_CHOICES
    ]
    severities = [{"label": t("alerts.all_severities", language), "value": ""}] + [
        {"label": word("severity", s, language), "value": s} for s in SEVERITIES
    ]
    unit_options = [{"label": t("alerts.all_units", language), "value": ""}] + [
        {"label": name, "value": code} for code, name in units
    ]
    rule_options = [{"label": t("alerts.all_rules", language), "value": ""}] + [
        {"label": rule_name(r, language) or str(r["key"]), "value": str(r["key"])} for r in rules
    ]
    silenced = [
        {"label": t(f"alerts.silenced_{v}", language), "value": k}
        for k, v in (("", "any"), ("true", "yes"), ("false", "no"))
    ]
    return html.Div(
        [
            _dropdown(
                ids.ALERTS_FILTER_STATE,
                t("alerts.filter_state", language),
                states,
                chosen.get("state", ""),
            ),
            _dropdown(
                ids.ALERTS_FILTER_SEVERITY,
                t("alerts.filter_severity", language),
                severities,
                chosen.get("severity", ""),
            ),
            _dropdown(
                ids.ALERTS_FILTER_UNIT,
                t("alerts.filter_unit", language),
                unit_options,
                chosen.get("unit", ""),
            ),
            _dropdown(
                ids.ALERTS_FILTER_RULE,
                t("alerts.filter_rule", language),
                rule_options,
                chosen.get("rule", ""),
            ),
            _dropdown(
                ids.ALERTS_FILTER_SILENCED,
                t("alerts.filter_silenced", language),
                silenced,
                chosen.get("silenced", ""),
            ),
        ],
        className="al-filters",
    )


def query_of(picked: Sequence[str | None], scheme: str) -> dict[str, Any]:
    """The API's filters of the pickers' values (state, severity, unit, rule, silenced; a
    unit is read in the view's scheme)."""
    state, severity, unit, rule, silenced = picked
    return {
        "state": state or None,
        "severity": severity or None,
        "scheme": scheme if unit else None,
        "unit": unit or None,
        "rule": rule or None,
        "silenced": silenced or None,
    }
