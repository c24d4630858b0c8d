"""The ``ingest`` job: an uploaded return file read, validated, loaded and published by
``python -m ingest.job`` (named, never imported: see :mod:`ioc.jobs.isolated`).

Its result is the upload's report, as ``POST /ingest`` answered it when it ran in the
request; a file refused above a limit (before parsing, or stopped at the memory or time
limit) fails with the 413 problem, its failed run recorded."""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path
from typing import Any

from ioc.catalog.messages import LANGS, file_message
from ioc.config import Settings
from ioc.jobs.isolated import JobFailed, JobStopped, Limits, run_job
from ioc.jobs.runner import Context, JobProblem

log = logging.getLogger("ioc.jobs")
MODULE = "ingest.job"  # the ingest, run in a process of its own
PROGRESS = "progress.json"  # what the job writes in its directory while it runs
STOPPED = {  # what stopped an upload's ingest: the message (and problem) code, the setting
    "memory": ("ingest_memory_limit", "IOC_INGEST_MEMORY_LIMIT_MB"),
    "time": ("ingest_time_limit", "IOC_INGEST_TIME_LIMIT_SECONDS"),
}


def request(
    work: Path,
    file: str,
    source: str,
    period: str | None,
    strict: bool,
    scope: list[list[str]] | None,
    ip: str,
) -> dict[str, Any]:
    """What the ingest job of an upload saved as ``work/file`` needs (stored with the job;
    ``work`` relative to the data directory)."""
    return {
        "dir": work.as_posix(),
        "file": file,  # the name it is saved under (no path parts)
        "source": source,  # the name it was sent under, as the run records it
        "period": period,
        "strict": strict,
        "scope": scope,  # the uploader's units; None: unrestricted
        "ip": ip,
    }


def run(context: Context) -> dict[str, Any]:
    given, settings = context.request, context.settings
    job = {
        "settings": job_settings(settings, context.started_by),
        "paths": [given["file"]],  # relative to the job's directory: no server path in a run
        "sources": [given["source"]],
        "period": given["period"],
        "strict": given["strict"],
        "scope": given["scope"],
    }
    report, stopped = _run(job, settings.data_dir / given["dir"], settings, context)
    context.hooks.published()
    context.hooks.audit(
        "ingest",
        context.started_by,
        f"{given['source']}: {report['status']}, run {report['run_id']}, "
        f"{report['accepted']} accepted, {report['rejected']} rejected",
        given["ip"],
    )
    report = _worded(report)
    if stopped or report.get("refused_by"):
        raise _refused(given["file"], report, stopped)
    body = {k: v for k, v in report.items() if k not in ("school_codes", "refused_by")}
    return {**body, "file_name": given["file"]}


def job_settings(settings: Settings, user: str) -> dict[str, Any]:
    """The server's settings for the job, its directories absolute, the uploader its user."""
    return settings.model_copy(
        update={
            "data_dir": settings.data_dir.resolve(),
            "sql_dir": settings.sql_dir.resolve(),
            "user": user,  # the run's run_by
        }
    ).model_dump(mode="json", exclude={"smtp_password"})


def ingest_limits(settings: Settings) -> Limits:
    """The memory and time an ingest job may use (``IOC_INGEST_*_LIMIT_*``)."""
    return Limits(settings.ingest_memory_limit_mb << 20, settings.ingest_time_limit_seconds)


def run_short(context: Context, do: str, failed: tuple[str, str, str], **fields: Any) -> Any:
    """Run ``python -m ingest.job`` for ``do`` with ``fields`` in a scratch directory under
    the ingest's limits; its answer. A job stopped or failed is the 500 problem ``failed``
    (code, vi, en; the English text gains what stopped it)."""
    settings = context.settings
    job = {"do": do, "settings": job_settings(settings, context.started_by), **fields}
    with tempfile.TemporaryDirectory(prefix=f"ioc-{do}-") as work:
        try:
            return run_job(MODULE, job, Path(work), ingest_limits(settings))
        except (JobStopped, JobFailed) as exc:
            code, vi, en = failed
            raise JobProblem(500, code, vi, f"{en}: {exc}") from exc


def _run(
    job: dict[str, Any], work: Path, settings: Settings, context: Context
) -> tuple[dict[str, Any], str | None]:
    """The ingest job's report, and what stopped it if it was stopped (a second job then
    records its failed run, if it can); a job that failed is a 500 problem, recorded too."""
    limits = ingest_limits(settings)
    try:
        watch = progress_watcher(work / PROGRESS, context)
        (report,) = run_job(MODULE, job, work, limits, watch)["reports"]
        return report, None
    except JobStopped as exc:
        stopped: str | None = exc.limit
        code, setting = STOPPED[exc.limit]
        params: dict[str, Any] = {"setting": setting}
        if exc.limit == "memory":
            params["mib"] = limits.memory_bytes >> 20
        else:
            params["seconds"] = limits.seconds
    except JobFailed as exc:
        log.error("the ingest job of %s failed: %s", job["paths"][0], exc)
        stopped, code, params = None, "ingest_internal_error", {}
    report = {"run_id": None, "status": "failed", "accepted": 0, "rejected": 0}
    report |= {"message_code": code, "message_params": params, "message": None}
    report["message"] = file_message(code, "en", {"file": job["paths"][0], **params})
    try:
        failure = {**job, "do": "failure", "code": code, "params": params}
        report = run_job(MODULE, failure, work, limits)["reports"][0]
    except (JobStopped, JobFailed) as exc:
        log.error("the failed run of %s could not be recorded: %s", job["paths"][0], exc)
    if stopped is None:
        raise JobProblem(
            500,
            "ingest_failed",
            "Lỗi hệ thống khi nạp tệp, vui lòng thử lại",
            f"Internal error while loading the file; {_recorded(report)}",
            run_id=report["run_id"],
        )
    return report, stopped


def progress_watcher(path: Path, context: Context) -> Any:
    """A function that passes on the job's progress (``progress.json``) when it changes."""
    seen: list[str] = []

    def watch() -> None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            return
        if seen and seen[-1] == text:
            return
        seen[:] = [text]
        try:
            now = json.loads(text)
            context.progress(int(now["done"]), int(now["total"]), str(now["stage"])[:32])
        except (ValueError, KeyError, TypeError):
            return

    return watch


def _worded(report: dict[str, Any]) -> dict[str, Any]:
    """A run's report with its message in both languages (``message_vi``/``message_en``,
    from its code and parameters; the stored English one when it has no code)."""
    code, values = report.get("message_code"), report.pop("message_params", None)
    return report | {
        f"message_{lang}": file_message(code, lang, values, report.get("message")) for lang in LANGS
    }


def _refused(file: str, report: dict[str, Any], stopped: str | None) -> JobProblem:
    """413: the file went above a limit (before parsing, or while its job ran)."""
    code, setting = STOPPED[stopped] if stopped else ("file_over_limit", report["refused_by"])
    vi = f"Tệp {file} bị từ chối vì vượt giới hạn {setting}"
    if report.get("message_code"):  # the catalog's words for what went above the limit
        vi = f"{report['message_vi']}: tệp bị từ chối"
    return JobProblem(
        413,
        code,
        f"{vi}; dữ liệu không thay đổi, {_recorded_vi(report)}",
        f"{report['message']}; nothing was loaded, {_recorded(report)}",
        run_id=report["run_id"],
        limit=setting,
        message_vi=report.get("message_vi"),
        message_en=report.get("message_en"),
    )


def _recorded_vi(report: dict[str, Any]) -> str:
    if report["run_id"] is None:
        return "và không ghi nhận được lần nạp (xem nhật ký máy chủ)"
    return f"đã ghi nhận là lần nạp {report['run_id']} không thành công"


def _recorded(report: dict[str, Any]) -> str:
    if report["run_id"] is None:
        return "and its run could not be recorded (see the server log)"
    return f"recorded as failed run {report['run_id']}"
