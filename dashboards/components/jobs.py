"""Upload jobs in words: one job's line while it runs and once it ended, the recent jobs."""

from __future__ import annotations

from typing import Any

from dash import html

from dashboards import ids
from dashboards.api_client import problem_of
from dashboards.components.datagrid import grid, list_col
from dashboards.components.labels import catalog_text, run_status
from dashboards.formats import datetime_text
from dashboards.i18n import Lang, t

ENDED = ("succeeded", "failed", "interrupted")


def ended(job: dict[str, Any]) -> bool:
    return job.get("status") in ENDED


def job_line(job: dict[str, Any], language: Lang) -> html.Li:
    """A job as one line: its progress while it runs; its run's outcome once it ended."""
    name = job.get("name") or f"#{job.get('id')}"
    if job.get("status") == "queued":
        return html.Li(t("ingest.waiting", language, file=name), className="run-waiting")
    if job.get("status") == "running":
        progress = job.get("progress") or {}
        return html.Li(
            t(
                "ingest.working",
                language,
                file=name,
                stage=_stage(progress.get("stage"), language),
                done=progress.get("done", 0),
                total=progress.get("total", 1),
            ),
            className="run-working",
        )
    if job.get("status") != "succeeded":
        problem = problem_of(500, job.get("problem") or {})
        return html.Li(
            [t("ingest.failed", language, file=name), ": ", problem.text(language)],
            className="run-failed",
        )
    run = job.get("result") or {}
    text = result_text(run, name, language)
    if run.get("message"):  # in the page's language (message_vi / message_en)
        text += f" — {catalog_text(run, 'message', language)}"
    return html.Li(
        [html.Strong(f"#{run.get('run_id')} {run_status(run.get('status'), language)}: "), text],
        className="run-ok" if run.get("status") == "loaded" else "run-failed",
    )


def result_text(run: dict[str, Any], name: str, language: Lang) -> str:
    return t(
        "ingest.result",
        language,
        file=name,
        read=run.get("rows_read", "—"),
        accepted=run.get("accepted", "—"),
        replaced=run.get("replaced", "—"),
        rejected=run.get("rejected", "—"),
        warnings=run.get("warnings", "—"),
    )


def _stage(stage: str | None, language: Lang) -> str:
    try:
        return t(f"ingest.stage_{stage or 'start'}", language)
    except KeyError:
        return stage or ""


def jobs_grid(jobs: list[dict[str, Any]], language: Lang, zone: str) -> Any:
    """The caller's recent jobs: what, when, how it went."""

    def c(field: str, key: str, **kw: Any) -> dict[str, Any]:
        return list_col(field, t(f"ingest.col_{key}", language), language, **kw)

    rows = [
        {
            "id": j["id"],
            "name": j.get("name") or "",
            "status": t(f"ingest.job_{j['status']}", language),
            "created": datetime_text(j.get("created_at"), zone),
            "finished": datetime_text(j.get("finished_at"), zone) if j.get("finished_at") else "",
            "outcome": _outcome(j, language),
        }
        for j in jobs
        if j.get("kind") == "ingest"
    ]
    return grid(
        ids.INGEST_JOBS,
        [
            c("id", "job", numeric=True, maxWidth=140, sort="desc"),
            c("name", "file", minWidth=200),
            c("status", "status"),
            c("created", "created"),
            c("finished", "finished"),
            c("outcome", "outcome", minWidth=280, tooltipField="outcome"),
        ],
        rows,
        height=None,
        lang=language,
        row_id="id",
    )


def _outcome(job: dict[str, Any], language: Lang) -> str:
    if not ended(job):
        return ""
    if job["status"] == "succeeded":
        run = job.get("result") or {}
        return f"#{run.get('run_id')} {run_status(run.get('status'), language)}"
    return problem_of(500, job.get("problem") or {}).text(language)
