"""The kinds of job the runner knows: each a function of :mod:`ioc.jobs` (report runs and
recomputes join here as they come)."""

from __future__ import annotations

from ioc.jobs import alerts, pull, review, targets, upload
from ioc.jobs.runner import Kind

KINDS: dict[str, Kind] = {
    "ingest": upload.run,  # an uploaded return file
    "targets": targets.run,  # targets set through the API
    "pull": pull.run,  # a source pulled (API, CLI or its schedule)
    "source_test": pull.check,  # a source tried, nothing stored
    "review_publish": review.run,  # approvals published after review actions (issue 17)
    "alerts": alerts.run,  # the alert rules evaluated, their events delivered (issue 18)
}
