"""One refresh of a wall screen: ask the API cheaply whether anything changed, fetch and
redraw only if it did, and on any failure keep what is on the screen.

The status travels between the browser and the server with each pull (a small dict in a
``dcc.Store``): whether the last pull worked, the build and digest on screen, when the
last full fetch was and at what scale the figures were drawn. The browser's ``wall.js``
reads ``ok`` and ``error`` to show the stale banner and to back off before retrying.
"""

from __future__ import annotations

import time
from typing import Any

from dashboards.api_client import Api, ApiProblem
from dashboards.i18n import t
from dashboards.wall import data
from dashboards.wall.panels import Rendered, render
from dashboards.wall.screens import Screen

BASE_LINES = 1080  # figures are designed for 1920x1080 and scaled by screen height


def scale_of(pull: dict[str, Any] | None) -> float:
    try:
        height = float((pull or {}).get("h") or BASE_LINES)
    except (TypeError, ValueError):
        height = BASE_LINES
    return round(min(4.0, max(0.5, height / BASE_LINES)), 2)


def initial_status() -> dict[str, Any]:
    return {
        "seq": 0,  # the pull this answers (wall.js ignores answers to superseded pulls)
        "ok": None,
        "error": None,
        "drawn": False,  # whether this answer redrew the panels
        "build_id": None,
        "last_run_id": None,  # a failed run is recorded without a new build
        "digest": None,
        "full_at": 0,
        "scale": None,
        "settle": False,  # fetch everything at the next pull even if the build is the same
    }


def failure(status: dict[str, Any], problem: ApiProblem, lang: str, seq: int) -> dict[str, Any]:
    message = (
        t("wall.token_invalid", lang)
        if problem.status == 401
        else t("wall.unreachable", lang)
        if problem.code == "api_unreachable"
        else problem.text(lang)
    )
    return {**status, "seq": seq, "ok": False, "error": message, "drawn": False}


def refresh(
    client: Api,
    screen: Screen,
    status: dict[str, Any] | None,
    pull: dict[str, Any] | None,
    lang: str,
    now: float | None = None,
) -> tuple[dict[str, Any], Rendered | None]:
    """The new status, and what to draw (None: keep what is on the screen)."""
    now = time.time() if now is None else now
    status = {**initial_status(), **(status or {})}
    seq = int((pull or {}).get("n") or 0)
    scale = scale_of(pull)
    try:
        client.me()  # the token may have been revoked
        health = client.health()
        unchanged = (
            screen.redraw == "changes"
            and not status["settle"]
            and status["digest"] is not None
            and health.get("build_id") == status["build_id"]
            and health.get("last_run_id") == status["last_run_id"]
            and scale == status["scale"]
            and now - float(status["full_at"] or 0) < screen.full_every_s
        )
        if unchanged:
            return {**status, "seq": seq, "ok": True, "error": None, "drawn": False}, None
        snapshot = data.collect(client, screen)
    except ApiProblem as problem:
        return failure(status, problem, lang, seq), None
    digest = data.digest(snapshot)
    fresh = {
        **status,
        "seq": seq,
        "ok": True,
        "error": None,
        "drawn": False,
        "build_id": snapshot["build_id"],
        "last_run_id": snapshot["last_run_id"],
        "full_at": now,
        # a new build: fetch everything once more at the next pull, in case a request of
        # this one was answered from the previous build while the new one was opening
        "settle": snapshot["build_id"] != status["build_id"],
    }
    if screen.redraw == "changes" and digest == status["digest"] and scale == status["scale"]:
        return fresh, None
    drawn = render(screen, snapshot, lang, scale)
    return {**fresh, "digest": digest, "scale": scale, "drawn": True}, drawn
