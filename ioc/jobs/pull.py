"""The ``pull`` and ``source_test`` jobs: a source pulled (or tried) by ``python -m ingest.job``
(named, never imported: see :mod:`ioc.jobs.isolated`) in a process of its own, as
docs/pulls.md says (steps 2 and 4). A delta pull the CLI asked for (``ioc sources pull`` of a
source pulled before, without ``--full``) runs the same module in the command's process: that
is already a process of its own, for this pull only, so a second interpreter would only add
its start-up (:func:`ioc.jobs.isolated.run_here`).

A pull opens its ledger row (:mod:`ioc.store.pulls`), loads the source's declaration from
the store and its credentials from the secrets file, runs the job in
``data_dir/pulls/<source>/`` (kept between pulls: the checkpoint lives there) under the
memory limit of uploads and ``IOC_SOURCES_TIME_LIMIT_SECONDS``, passes on its progress,
finishes the ledger row with the PullReport and records one audit event. Credentials go to
the job on its stdin only: never into the job's stored request, the ledger, a log line or
the audit log. Its result is the PullReport; a pull that failed is a failed job whose
problem carries the report (``pull``) and its error."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.orm import Session

from ioc import store
from ioc.catalog.messages import LANGS
from ioc.catalog.source_messages import source_text
from ioc.config import Settings
from ioc.jobs.isolated import JobFailed, JobStopped, Limits, run_here, run_job
from ioc.jobs.runner import Context, JobProblem
from ioc.jobs.upload import MODULE, PROGRESS, job_settings, progress_watcher
from ioc.sources.secrets import SecretError, load_secret
from ioc.sources.spec import SourceSpec
from ioc.store import pulls, sources

log = logging.getLogger("ioc.jobs")
Trigger = Literal["api", "cli", "schedule"]
COUNTS = pulls.COUNTS
HERE: frozenset[Trigger] = frozenset({"cli"})  # pulls run in the caller's own process
STOPPED = {  # what stopped a pull: the error code and the setting
    "memory": ("pull_memory_limit", "IOC_INGEST_MEMORY_LIMIT_MB"),
    "time": ("pull_time_limit", "IOC_SOURCES_TIME_LIMIT_SECONDS"),
}


def request(
    source: str, *, full: bool, dry_run: bool, trigger: Trigger, ip: str | None = None
) -> dict[str, Any]:
    """What a ``pull`` job needs (stored with the job: no credential)."""
    return {"source": source, "full": full, "dry_run": dry_run, "trigger": trigger, "ip": ip}


def error(code: str, source: str, **params: Any) -> dict[str, Any]:
    """A PullReport's ``error`` made by this side (the catalog's ``sources`` words)."""
    values = {"source": source, **params}
    worded: dict[str, str] = {lang: source_text(code, lang, values) for lang in LANGS}
    return {"code": code, **worded, "resource": None, "page": None, "field": None}


def failed_report(
    spec: SourceSpec | str, full: bool, dry_run: bool, err: dict[str, Any]
) -> dict[str, Any]:
    """The PullReport of a pull that failed before (or outside) the ingest job."""
    name = spec if isinstance(spec, str) else spec.name
    return {
        "source": name,
        "mode": "full" if full else "delta",
        "dry_run": dry_run,
        "status": "failed",
        "duration_seconds": 0.0,
        **dict.fromkeys(COUNTS, 0),
        "reject_reasons": {},
        "resources": {},
        "error": err,
    }


@contextmanager
def _session(context: Context) -> Iterator[Session]:
    engine = store.make_engine(context.settings)
    try:
        with store.open_session(engine) as session:
            yield session
    finally:
        engine.dispose()


def _spec(context: Context, name: str) -> SourceSpec:
    with _session(context) as session:
        found = sources.get_source(session, name)
        if found is None:
            raise JobProblem(
                404,
                "unknown_source",
                source_text("unknown_source", "vi", {"source": name}),
                source_text("unknown_source", "en", {"source": name}),
            )
        return sources.spec_of(found)


def run(context: Context) -> dict[str, Any]:
    given = context.request
    name, full, dry_run = given["source"], bool(given["full"]), bool(given["dry_run"])
    spec = _spec(context, name)
    with _session(context) as session:
        # a delta the CLI asked for runs in the command's process (its latency is the
        # interpreter's start); a full fetch, the first one included, keeps a process of its
        # own under the memory limit, like the server's pulls
        here = given["trigger"] in HERE and not full and pulls.has_published(session, name)
        pull_id = pulls.start_pull(
            session,
            name,
            job_id=context.job_id,
            trigger=given["trigger"],
            started_by=context.started_by,
            full=full,
            dry_run=dry_run,
        ).id
    report: dict[str, Any] | None = None
    try:
        report = _pull(context, spec, full, dry_run, here=here)
    finally:  # the ledger row is finished whatever happened
        if report is None:
            report = failed_report(spec, full, dry_run, error("pull_internal_error", name))
        with _session(context) as session:
            pulls.finish_pull(session, pull_id, report)
    if not dry_run:
        context.hooks.published()
    context.hooks.audit("source_pull", context.started_by, _summary(report), given.get("ip") or "")
    if report["status"] != "succeeded":
        err = report.get("error") or error("pull_internal_error", name)
        status = 500 if err["code"] in ("pull_internal_error", "source_secret_unavailable") else 502
        raise JobProblem(status, err["code"], err["vi"], err["en"], pull=report, pull_id=pull_id)
    return {**report, "pull_id": pull_id}


def _pull(
    context: Context, spec: SourceSpec, full: bool, dry_run: bool, *, here: bool
) -> dict[str, Any]:
    """The PullReport of the ingest job (a failed one for what stopped it), run in a process
    of its own, or in this one when ``here``."""
    settings = context.settings
    try:
        secret = load_secret(settings, spec.secret)
    except SecretError as exc:
        log.warning("source %s: %s", spec.name, exc)  # names the entry, never a value
        return failed_report(
            spec, full, dry_run, error("source_secret_unavailable", spec.name, entry=spec.secret)
        )
    values = {k: v.get_secret_value() for k, v in secret.items()}
    job = _job("pull", context, spec, values) | {"full": full, "dry_run": dry_run}
    work = settings.data_dir / "pulls" / spec.name
    work.mkdir(parents=True, exist_ok=True)
    limits = _limits(settings)
    watch = progress_watcher(work / PROGRESS, context)
    try:
        if here:
            answer = run_here(MODULE, job, work, watch)
        else:
            answer = run_job(MODULE, job, work, limits, watch)
        return dict(answer["pull"])
    except JobStopped as exc:
        code, setting = STOPPED[exc.limit]
        params: dict[str, Any] = {"setting": setting}
        params |= {"mib": limits.memory_bytes >> 20, "seconds": limits.seconds}
        return failed_report(spec, full, dry_run, error(code, spec.name, **params))
    except (JobFailed, KeyError, TypeError, ValueError) as exc:
        log.error("the pull of source %s failed: %s", spec.name, redact(str(exc), values))
        return failed_report(spec, full, dry_run, error("pull_internal_error", spec.name))


def _job(do: str, context: Context, spec: SourceSpec, secret: dict[str, str]) -> dict[str, Any]:
    """The request of ``python -m ingest.job`` for the source (its credentials on stdin)."""
    return {
        "do": do,
        "settings": job_settings(context.settings, context.started_by),
        "source": spec.model_dump(mode="json"),
        "secret": secret,
    }


def _limits(settings: Settings) -> Limits:
    """A pull's limits: the memory of an upload's ingest, the time of a pull."""
    return Limits(settings.ingest_memory_limit_mb << 20, settings.sources_time_limit_seconds)


def redact(text: str, secret: dict[str, str]) -> str:
    """``text`` with every credential value replaced (a job's stderr, before it is logged)."""
    for value in sorted(secret.values(), key=len, reverse=True):
        if len(value) >= 4:
            text = text.replace(value, "***")
    return text


def _summary(report: dict[str, Any]) -> str:
    """The audit event's detail: source, mode, counts (never a credential or a URL)."""
    dry = " (dry run)" if report.get("dry_run") else ""
    counts = ", ".join(f"{n} {int(report.get(n) or 0)}" for n in COUNTS)
    err = report.get("error") or {}
    failed = f" [{err['code']}]" if err.get("code") else ""
    return f"{report['source']}: {report['mode']}{dry}, {report['status']}{failed}, {counts}"


def check(context: Context) -> dict[str, Any]:
    """``source_test``: connect, authenticate, fetch and map the first page of each resource
    and validate it; nothing stored. Its answer: ``{"ok", "checks": [...]}``."""
    name = context.request["source"]
    spec = _spec(context, name)
    settings = context.settings
    try:
        secret = load_secret(settings, spec.secret)
    except SecretError as exc:
        log.warning("source %s: %s", name, exc)
        err = error("source_secret_unavailable", name, entry=spec.secret)
        raise JobProblem(500, err["code"], err["vi"], err["en"]) from None
    values = {k: v.get_secret_value() for k, v in secret.items()}
    job = _job("test", context, spec, values)
    with tempfile.TemporaryDirectory(prefix="ioc-source-test-") as work:
        try:
            return dict(run_job(MODULE, job, Path(work), _limits(settings)))
        except (JobStopped, JobFailed, ValueError) as exc:
            log.error("the test of source %s failed: %s", name, redact(str(exc), values))
            err = error("pull_internal_error", name)
            raise JobProblem(500, err["code"], err["vi"], err["en"]) from None
