"""The ``review_publish`` job: after review actions, the store's approvals copied into the
snapshot and the indicators of the schools acted on recomputed, published as a new build
(``ingest.approvals.publish_reviews``, run by ``python -m ingest.job``, named, never
imported)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ioc.jobs.runner import Context
from ioc.jobs.upload import run_short

FAILED = (
    "review_publish_failed",
    "Lỗi hệ thống khi công bố số liệu đã duyệt",
    "Approved figures not published",
)


def request(school_codes: Sequence[str]) -> dict[str, Any]:
    """What the job needs: the schools whose returns were acted on."""
    return {"school_codes": sorted(set(school_codes))}


def run(context: Context) -> dict[str, Any]:
    """Answers ``{build_id, schools}``: the build published and how many schools it redid."""
    codes = list(context.request["school_codes"])
    answer = run_short(context, "review_publish", FAILED, school_codes=codes)
    context.hooks.published()
    return {"build_id": answer["build_id"], "schools": int(answer["schools"])}
