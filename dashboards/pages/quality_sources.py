"""The quality page's "Data sources" panel: the pulled sources that are failing or late
(``GET /sources/status``), each in one line, with the way to the sources page. Nothing at
all when every source is fine (no empty box)."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboards import ids
from dashboards.api_client import Api, ApiProblem
from dashboards.components.attrs import data_attrs
from dashboards.components.source_texts import TROUBLE, state_badge, trouble_text
from dashboards.i18n import Lang, t


def sources_panel(client: Api, language: Lang) -> html.Section | None:
    """The failing or late sources, or None (none, or the status cannot be read: the rest
    of the page does not depend on it)."""
    try:
        rows = [r for r in client.sources_status() if r.get("state") in TROUBLE]
    except ApiProblem:
        return None
    if not rows:
        return None
    items: list[Any] = [
        html.Li(
            [state_badge(r.get("state"), language), " ", trouble_text(r, language)],
            className="source-trouble",
            **data_attrs(source=str(r.get("name")), state=str(r.get("state"))),
        )
        for r in rows
    ]
    return html.Section(
        [
            html.H2(t("sources.quality_panel", language)),
            html.Ul(items, className="dq-list source-troubles"),
            html.A(t("sources.quality_link", language), href="/sources"),
        ],
        className="card",
        id=ids.QUALITY_SOURCES,
    )
