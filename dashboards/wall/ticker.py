"""The wall's clock-side texts: instants in the screen's time zone, and the events ticker
(pulled sources failing or late first, then recent ingests, failures and report runs,
newest first)."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboards.api_client import DEFAULT_ZONE
from dashboards.components.attrs import data_attrs
from dashboards.formats import vn_number
from dashboards.i18n import t
from dashboards.wall.data import FAILED
from dashboards.wall.screens import Screen
from ioc.domain.formats import local_datetime


def local(
    value: str | None, screen: Screen, snap: dict[str, Any], fmt: str = "%H:%M %d/%m/%Y"
) -> str:
    """An instant in the screen's time zone: the API's display time zone unless the screen
    sets its own (the same zone as the dashboard's, so both show one time)."""
    zone = screen.zone(snap.get("display_timezone") or DEFAULT_ZONE)
    return local_datetime(value, zone, fmt)


def events(screen: Screen, snap: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """(time, text) of recent ingests, new returns, failures and report runs, newest first."""
    found: list[tuple[str, str]] = []
    for r in snap.get("runs") or []:
        when = local(r.get("finished_at") or r.get("started_at"), screen, snap, "%H:%M %d/%m")
        if r["status"] in FAILED:
            text = t(
                "wall.event_failed",
                lang,
                when=when,
                run=r["run_id"],
                status=t(f"wall.run_{r['status']}", lang),
            )
        else:
            text = t(
                "wall.event_ingest",
                lang,
                when=when,
                run=r["run_id"],
                accepted=vn_number(r.get("rows_accepted")),
                replaced=vn_number(r.get("rows_replaced")),
                rejected=vn_number(r.get("rows_rejected")),
            )
        found.append((r.get("finished_at") or r.get("started_at") or "", text))
    for r in snap.get("report_runs") or []:
        when = local(r["finished_at"], screen, snap, "%H:%M %d/%m")
        status = t(f"wall.report_{r['status']}", lang)
        text = t(
            "wall.event_report", lang, when=when, kind=r["kind"], unit=r["unit"], status=status
        )
        found.append((r["finished_at"], text))
    found.sort(key=lambda item: item[0], reverse=True)
    troubles = [(r.get("last_success_at") or "", source_line(r, screen, snap, lang, "wall_event"))
                for r in snap.get("sources") or []]  # fmt: skip
    return (troubles + found)[: screen.events]  # a source in trouble first: it lasts


def source_line(
    row: dict[str, Any], screen: Screen, snap: dict[str, Any], lang: str, key: str
) -> str:
    """A failing or late source, briefly: its name, state and last successful pull."""
    state = t(f"sources.state_{row['state']}", lang).lower()
    if not row.get("last_success_at"):
        return t(f"sources.{key}_never", lang, name=row["name"], state=state)
    when = local(row["last_success_at"], screen, snap, "%H:%M %d/%m")
    return t(f"sources.{key}", lang, name=row["name"], state=state, when=when)


def ticker(screen: Screen, snap: dict[str, Any], lang: str) -> html.Div:
    items = events(screen, snap, lang)
    texts = [text for _, text in items] or [t("wall.events_none", lang)]
    length = sum(len(x) for x in texts)
    return html.Div(
        [html.Span(text, className="wall-event") for text in texts],
        className="wall-ticker-track",
        style={"animationDuration": f"{max(20, round(length / 9))}s"},  # ~9 characters a second
        **data_attrs(events=str(len(items))),
    )
