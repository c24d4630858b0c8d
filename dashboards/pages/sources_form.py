"""The admin's form of a source (add, edit, delete) on the sources page. The API validates
(``POST``/``PUT /sources``); each of its 422 problems is shown next to the field it names.
The form holds the NAME of an entry of the secrets file, never a credential."""

from __future__ import annotations

import json
from typing import Any

import dash
import yaml
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboards import ids
from dashboards.api_client import ApiProblem
from dashboards.components import states
from dashboards.components.source_texts import kind_label, source_rows
from dashboards.context import api, lang
from dashboards.formats import comma_list
from dashboards.i18n import Lang, t

EDITORS = ("admin",)
KINDS = ("http-json", "http-file", "ioc-edu")
#: the form's fields, in the order of the form; a 422 problem naming ``units.0.code`` or
#: ``mapping.resources.returns`` is shown by the field its name starts with
FIELDS = ("name", "kind", "base_url", "secret", "units", "cron", "reconcile_cron", "mapping")
EXAMPLE = """auth: {type: oauth2, token_url: /oauth/token}
resources:
  returns:
    path: /v1/returns
    since_param: updated_since
    records: data
    paging: {type: cursor, next_cursor: next}
    version: updated_at
    fields: {school_code: ma_truong, school_year: nam_hoc, term: ky}
"""


def error_id(field: str) -> str:
    return f"{ids.SOURCE_ERROR}-{field}"


def admin_buttons(language: Lang, role: str) -> list[Any]:
    """Edit and delete the picked source (admins), the delete asking first."""
    if role not in EDITORS:
        return []
    return [
        html.Button(t("sources.edit", language), id=ids.SOURCE_EDIT),
        html.Button(t("sources.delete", language), id=ids.SOURCE_DELETE, className="danger"),
        dcc.ConfirmDialog(id=ids.SOURCE_DELETE_CONFIRM),
    ]


def form_section(language: Lang) -> html.Section:
    def field(name: str, control: Any, note: str | None = None) -> html.Div:
        parts = [html.Label(t(f"sources.form_{name}", language), htmlFor=control.id), control]
        if note:
            parts.append(html.Small(note, className="muted field-note"))
        parts.append(html.Div(id=error_id(name), className="field-error", role="alert"))
        return html.Div(parts, className=f"field field-{name}")

    def text(id_: str, value: str = "", placeholder: str = "") -> dcc.Input:
        return dcc.Input(id=id_, type="text", value=value, placeholder=placeholder)

    kinds = [{"label": kind_label(k, language), "value": k} for k in KINDS]
    schemes = [{"label": t(f"scheme.{s}", language), "value": s} for s in ("legacy", "2025")]
    return html.Section(
        [
            html.H2(t("sources.form_new", language), id=ids.SOURCE_FORM_TITLE),
            dcc.Store(id=ids.SOURCE_EDITING, data=None),
            html.Div(
                [
                    field("name", text(ids.SOURCE_NAME, placeholder="vendor-a")),
                    field(
                        "kind",
                        dcc.Dropdown(
                            id=ids.SOURCE_KIND, options=kinds, value=KINDS[0], clearable=False
                        ),
                    ),
                    field("base_url", text(ids.SOURCE_BASE_URL, placeholder="https://")),
                    field(
                        "secret",
                        text(ids.SOURCE_SECRET, placeholder="vendor-a"),
                        t("sources.form_secret_note", language),
                    ),
                    field(
                        "scheme",
                        dcc.RadioItems(
                            id=ids.SOURCE_SCHEME, options=schemes, value="legacy", inline=True
                        ),
                    ),
                    field("units", text(ids.SOURCE_UNITS, placeholder="94")),
                    field("cron", text(ids.SOURCE_CRON, value="0 * * * *")),
                    field("reconcile_cron", text(ids.SOURCE_RECONCILE, value="0 2 * * 0")),
                ],
                className="form-grid",
            ),
            field(
                "mapping",
                dcc.Textarea(
                    id=ids.SOURCE_MAPPING, value=EXAMPLE, rows=12, className="mapping-text"
                ),
            ),
            html.Div(
                [
                    html.Button(
                        t("sources.form_save", language),
                        id=ids.SOURCE_SAVE,
                        className="btn primary",
                    ),
                    html.Button(
                        t("sources.form_clear", language), id=ids.SOURCE_CLEAR, className="btn"
                    ),
                ],
                className="toolbar",
            ),
            html.Div(id=ids.SOURCE_SAVED, role="status"),
        ],
        className="card source-form",
    )


def spec_of(
    values: dict[str, Any], scheme: str, language: Lang
) -> tuple[dict[str, Any] | None, str | None]:
    """The ``SourceSpec`` the form says, or the reason the mapping text cannot be read."""
    mapping_text = (values.get("mapping") or "").strip()
    try:
        mapping = yaml.safe_load(mapping_text) if mapping_text else None  # JSON is YAML too
    except yaml.YAMLError as exc:
        return None, t("sources.form_bad_mapping", language, error=str(exc).splitlines()[0])
    if mapping is not None and not isinstance(mapping, dict):
        return None, t("sources.form_bad_mapping", language, error=type(mapping).__name__)
    codes = comma_list(values.get("units"))
    spec: dict[str, Any] = {
        "name": (values.get("name") or "").strip(),
        "kind": values.get("kind") or KINDS[0],
        "base_url": (values.get("base_url") or "").strip(),
        "secret": (values.get("secret") or "").strip() or None,
        "units": [{"scheme": scheme, "code": code} for code in codes],
        "cron": (values.get("cron") or "").strip() or None,
        "reconcile_cron": (values.get("reconcile_cron") or "").strip() or None,
        "mapping": mapping,
    }
    resources = (mapping or {}).get("resources") if spec["kind"] == "http-json" else None
    if isinstance(resources, dict) and resources:
        spec["resources"] = list(resources)
    return spec, None


def problems_by_field(problem: ApiProblem) -> tuple[dict[str, list[str]], list[str]]:
    """The API's 422 problems by the form field they name, and those naming none."""
    by_field: dict[str, list[str]] = {}
    other: list[str] = []
    for error in problem.errors:
        name = str(error.get("parameter") or "")
        reason = str(error.get("reason") or "")
        top = name.split(".", 1)[0]
        if top == "resources":
            top = "mapping"
        if top in FIELDS:
            by_field.setdefault(top, []).append(reason or name)
        else:
            other.append(f"{name}: {reason}" if name else reason)
    return by_field, other


ERROR_OUTPUTS = [Output(error_id(f), "children") for f in FIELDS]
FORM_STATES = [
    State(ids.SOURCE_NAME, "value"),
    State(ids.SOURCE_KIND, "value"),
    State(ids.SOURCE_BASE_URL, "value"),
    State(ids.SOURCE_SECRET, "value"),
    State(ids.SOURCE_UNITS, "value"),
    State(ids.SOURCE_CRON, "value"),
    State(ids.SOURCE_RECONCILE, "value"),
    State(ids.SOURCE_MAPPING, "value"),
]


@callback(
    Output(ids.SOURCE_SAVED, "children"),
    Output(ids.SOURCES_GRID, "rowData", allow_duplicate=True),
    *ERROR_OUTPUTS,
    Input(ids.SOURCE_SAVE, "n_clicks"),
    *FORM_STATES,
    State(ids.SOURCE_SCHEME, "value"),
    State(ids.SOURCE_EDITING, "data"),
    prevent_initial_call=True,
)
def _save(_clicks: int, *values: Any) -> Any:
    """Create (or, when editing, replace) the source; the API's problems by their fields."""
    language, client = lang(), api()
    *fields, scheme, editing = values
    spec, unreadable = spec_of(dict(zip(FIELDS, fields, strict=True)), scheme, language)
    cleared = [None] * len(FIELDS)
    if spec is None:
        errors = [unreadable if f == "mapping" else None for f in FIELDS]
        return states.empty(t("sources.form_invalid", language)), no_update, *errors
    try:
        if editing:
            client.update_source(editing, spec)
        else:
            client.create_source(spec)
        rows = source_rows(client.sources(), language, client.display_zone())
    except ApiProblem as problem:
        by_field, other = problems_by_field(problem)
        errors = ["; ".join(by_field[f]) if f in by_field else None for f in FIELDS]
        shown = states.error(problem, language)
        if by_field and not other:
            shown = html.Div(
                [t("sources.form_invalid", language), " ", problem.text(language)],
                className="state state-error",
                role="alert",
            )
        return shown, no_update, *errors
    saved = html.Div(t("sources.form_saved", language, name=spec["name"]), className="state ok")
    return saved, rows, *cleared


@callback(
    Output(ids.SOURCE_EDITING, "data"),
    Output(ids.SOURCE_FORM_TITLE, "children"),
    Output(ids.SOURCE_NAME, "value"),
    Output(ids.SOURCE_KIND, "value"),
    Output(ids.SOURCE_BASE_URL, "value"),
    Output(ids.SOURCE_SECRET, "value"),
    Output(ids.SOURCE_UNITS, "value"),
    Output(ids.SOURCE_CRON, "value"),
    Output(ids.SOURCE_RECONCILE, "value"),
    Output(ids.SOURCE_MAPPING, "value"),
    Output(ids.SOURCE_SCHEME, "value"),
    Input(ids.SOURCE_EDIT, "n_clicks"),
    Input(ids.SOURCE_CLEAR, "n_clicks"),
    State(ids.SOURCES_GRID, "selectedRows"),
    prevent_initial_call=True,
)
def _fill(_edit: Any, _clear: Any, selected: list[dict[str, Any]] | None) -> Any:
    """Fill the form with the picked source (edit), or empty it for a new one."""
    language = lang()
    if dash.ctx.triggered_id == ids.SOURCE_CLEAR or not selected:
        title = t("sources.form_new", language)
        return None, title, "", KINDS[0], "", "", "", "0 * * * *", "0 2 * * 0", EXAMPLE, "legacy"
    name = selected[0]["name"]
    try:
        source = next(s for s in api().sources() if s["name"] == name)
    except (ApiProblem, StopIteration):
        return (no_update,) * 11
    units = source.get("units") or []
    mapping = source.get("mapping")
    mapping_text = "" if mapping is None else yaml.safe_dump(mapping, allow_unicode=True)
    return (
        name,
        t("sources.form_edit", language, name=name),
        name,
        source.get("kind"),
        source.get("base_url") or "",
        source.get("secret") or "",
        ", ".join(u["code"] if isinstance(u, dict) else str(u) for u in units),
        source.get("cron") or "",
        source.get("reconcile_cron") or "",
        mapping_text if len(mapping_text) < 20_000 else json.dumps(mapping),
        units[0]["scheme"] if units and isinstance(units[0], dict) else "legacy",
    )


@callback(
    Output(ids.SOURCE_DELETE_CONFIRM, "displayed"),
    Output(ids.SOURCE_DELETE_CONFIRM, "message"),
    Input(ids.SOURCE_DELETE, "n_clicks"),
    State(ids.SOURCES_GRID, "selectedRows"),
    prevent_initial_call=True,
)
def _ask_delete(_clicks: int, selected: list[dict[str, Any]] | None) -> Any:
    if not selected:
        return False, no_update
    return True, t("sources.delete_confirm", lang(), name=selected[0]["name"])


@callback(
    Output(ids.SOURCE_SAVED, "children", allow_duplicate=True),
    Output(ids.SOURCES_GRID, "rowData", allow_duplicate=True),
    Input(ids.SOURCE_DELETE_CONFIRM, "submit_n_clicks"),
    State(ids.SOURCES_GRID, "selectedRows"),
    prevent_initial_call=True,
)
def _delete(_clicks: int, selected: list[dict[str, Any]] | None) -> Any:
    language, client = lang(), api()
    if not selected:
        return states.empty(t("sources.pick", language)), no_update
    name = selected[0]["name"]
    try:
        client.delete_source(name)
        rows = source_rows(client.sources(), language, client.display_zone())
    except ApiProblem as problem:
        return states.error(problem, language), no_update
    return html.Div(t("sources.deleted", language, name=name), className="state ok"), rows
