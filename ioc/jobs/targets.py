"""The ``targets`` job: targets stored and their statuses recomputed by
``python -m ingest.job`` (named, never imported), in a process of its own."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from ioc.jobs.isolated import JobFailed, JobStopped, Limits, run_job
from ioc.jobs.runner import Context, JobProblem
from ioc.jobs.upload import MODULE, job_settings


def request(rows: list[dict[str, Any]], source: str) -> dict[str, Any]:
    """What the job needs: the targets (checked by the caller) and where they come from."""
    return {"rows": rows, "source": source}


def run(context: Context) -> dict[str, Any]:
    settings = context.settings
    job = {
        "do": "targets",
        "settings": job_settings(settings, context.started_by),
        "rows": context.request["rows"],
        "set_by": context.started_by,
        "source": context.request["source"],
    }
    limits = Limits(settings.ingest_memory_limit_mb << 20, settings.ingest_time_limit_seconds)
    with tempfile.TemporaryDirectory(prefix="ioc-targets-") as work:
        try:
            answer = run_job(MODULE, job, Path(work), limits)
        except (JobStopped, JobFailed) as exc:
            raise JobProblem(
                500, "targets_failed", "Lỗi hệ thống khi lưu chỉ tiêu", f"Targets not saved: {exc}"
            ) from exc
    if "invalid" in answer:
        raise JobProblem(
            422,
            answer.get("code") or "invalid_request",
            answer.get("vi") or "Yêu cầu không hợp lệ",
            answer["invalid"],
        )
    context.hooks.published()
    return {"saved": int(answer["saved"])}
