"""The ``targets`` job: targets stored and their statuses recomputed by
``python -m ingest.job`` (named, never imported), in a process of its own."""

from __future__ import annotations

from typing import Any

from ioc.jobs.runner import Context, JobProblem
from ioc.jobs.upload import run_short


def request(rows: list[dict[str, Any]], source: str) -> dict[str, Any]:
    """What the job needs: the targets (checked by the caller) and where they come from."""
    return {"rows": rows, "source": source}


def run(context: Context) -> dict[str, Any]:
    given = context.request
    answer = run_short(
        context,
        "targets",
        ("targets_failed", "Lỗi hệ thống khi lưu chỉ tiêu", "Targets not saved"),
        rows=given["rows"],
        set_by=context.started_by,
        source=given["source"],
    )
    if "invalid" in answer:
        raise JobProblem(
            422,
            answer.get("code") or "invalid_request",
            answer.get("vi") or "Yêu cầu không hợp lệ",
            answer["invalid"],
        )
    context.hooks.published()
    return {"saved": int(answer["saved"])}
