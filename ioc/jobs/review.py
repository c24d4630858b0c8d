"""The ``review_publish`` job: after review actions, the store's approvals copied into the
snapshot and the indicators of the schools acted on recomputed, published as a new build
(``ingest.approvals.publish_reviews``, run by ``python -m ingest.job``, named, never
imported)."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ioc.jobs.isolated import JobFailed, JobStopped, Limits, run_job
from ioc.jobs.runner import Context, JobProblem
from ioc.jobs.upload import MODULE, job_settings


def request(school_codes: Sequence[str]) -> dict[str, Any]:
    """What the job needs: the schools whose returns were acted on."""
    return {"school_codes": sorted(set(school_codes))}


def run(context: Context) -> dict[str, Any]:
    """Answers ``{build_id, schools}``: the build published and how many schools it redid."""
    settings = context.settings
    job = {
        "do": "review_publish",
        "settings": job_settings(settings, context.started_by),
        "school_codes": list(context.request["school_codes"]),
    }
    limits = Limits(settings.ingest_memory_limit_mb << 20, settings.ingest_time_limit_seconds)
    with tempfile.TemporaryDirectory(prefix="ioc-review-") as work:
        try:
            answer = run_job(MODULE, job, Path(work), limits)
        except (JobStopped, JobFailed) as exc:
            raise JobProblem(
                500,
                "review_publish_failed",
                "Lỗi hệ thống khi công bố số liệu đã duyệt",
                f"Approved figures not published: {exc}",
            ) from exc
    context.hooks.published()
    return {"build_id": answer["build_id"], "schools": int(answer["schools"])}
