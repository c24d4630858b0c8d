"""``ioc sources``: the sources the Department pulls from (docs/pulls.md), their pulls and
ledger. Mounted in ``ioc/cli/main.py``. Changes are audited with the person running the
command as ``cli:NAME``; a pull or a test runs here and now as a job of the store
(``JobRunner.run_now``), as the API's would. Nothing printed holds a credential."""

from __future__ import annotations

import gc
import getpass
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.markup import escape

from ioc.cli.options import JsonOption, LangOption
from ioc.cli.output import console, err, local_iso, print_rows
from ioc.config import get_settings

if TYPE_CHECKING:
    from ioc.jobs.runner import JobRunner
    from ioc.store.models import Job

# ioc.store and the jobs (SQLAlchemy, Alembic) are imported inside the commands, so that
# mounting this sub-app does not slow down every other ``ioc`` command.

sources_app = typer.Typer(
    help="Sources pulled from (school-management APIs, return files by URL, IOC-EDU).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
NameArg = Annotated[str, typer.Argument(help="The source's name")]
TEXTS = {
    "report": {
        "vi": "nguồn {source}: kéo {mode}{dry}, {status}, {seconds} giây; {pages} trang, "
        "{fetched} dòng lấy về: {inserted} mới, {replaced} thay thế, {unchanged} không đổi, "
        "{rejected} bị từ chối, {tombstones} bị xoá ở nguồn; {retries} lần thử lại",
        "en": "source {source}: {mode} pull{dry}, {status}, {seconds} s; {pages} pages, "
        "{fetched} rows fetched: {inserted} new, {replaced} replaced, {unchanged} unchanged, "
        "{rejected} rejected, {tombstones} deleted at the source; {retries} retries",
    },
    "dry": {"vi": " (chạy thử, không công bố)", "en": " (dry run, nothing published)"},
    "resource": {
        "vi": "  {resource}: mốc {before} → {after}, lần nạp {run}",
        "en": "  {resource}: watermark {before} → {after}, run {run}",
    },
    "reasons": {"vi": "  lý do từ chối: {reasons}", "en": "  rejected because: {reasons}"},
    "error": {"vi": "lỗi: {text}{where}", "en": "error: {text}{where}"},
}


def _say(key: str, lang: str, **values: Any) -> str:
    return TEXTS[key][lang].format(**values)


def _actor() -> str:
    return f"cli:{get_settings().user or getpass.getuser()}"


def _runner() -> JobRunner:
    from ioc import store
    from ioc.jobs.kinds import KINDS
    from ioc.jobs.runner import Hooks, JobRunner

    settings = get_settings()

    def audit(action: str, user: str, detail: str, ip: str) -> None:
        with store.open_session(store.make_engine(settings)) as session:
            store.audit(session, action, user, detail, ip or "cli")

    runner = JobRunner(settings, KINDS, Hooks(audit=audit), workers=1)
    runner.connect()
    return runner


def _read_spec(path: Path) -> Any:
    """The declaration in a YAML or JSON file; a bad one ends the command naming the field."""
    import yaml
    from pydantic import ValidationError

    from ioc.sources.spec import SourceSpec

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))  # JSON is YAML too
        return SourceSpec.model_validate(data)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        err.print(f"[red]error:[/red] {escape(path.name)}: {escape(str(exc))}")
    except ValidationError as exc:
        for e in exc.errors():
            where = ".".join(str(p) for p in e["loc"]) or "source"
            err.print(f"[red]error:[/red] {escape(path.name)}: {escape(where)}: {e['msg']}")
    raise typer.Exit(1)


@sources_app.command("add")
def add(
    file: Annotated[Path, typer.Argument(help="The source's declaration (YAML or JSON)")],
    replace: Annotated[
        bool, typer.Option("--replace", help="Change the source if it exists")
    ] = False,
) -> None:
    """Declare a source (or, with --replace, declare it anew)."""
    from ioc import store
    from ioc.reports.limits import fires_too_often
    from ioc.store import sources
    from ioc.store.types import utcnow

    spec = _read_spec(file)
    settings = get_settings()
    for field in ("cron", "reconcile_cron"):
        cron = getattr(spec, field)
        try:
            refused = fires_too_often(cron, settings, utcnow()) if cron else None
        except ValueError as exc:
            err.print(f"[red]error:[/red] {field}: {escape(str(exc))}")
            raise typer.Exit(1) from None
        if refused is not None:
            err.print(f"[red]error:[/red] {field}: {escape(refused.en)}")
            raise typer.Exit(1)
    store.migrate(settings)
    with store.open_session(store.make_engine(settings)) as session:
        try:
            exists = sources.get_source(session, spec.name) is not None
            if exists and replace:
                sources.update_source(session, spec, actor=_actor())
            else:
                sources.add_source(session, spec, actor=_actor())
        except store.StoreError as exc:
            err.print(f"[red]error:[/red] {escape(str(exc))} (--replace to change it)")
            raise typer.Exit(1) from None
    console.print(f"{'changed' if exists else 'added'} source {escape(spec.name)}")


@sources_app.command("list")
def list_(as_json: JsonOption = False) -> None:
    """Sources with their state (never, ok, failing, late)."""
    from ioc import store
    from ioc.store import pulls, sources
    from ioc.store.types import utcnow

    settings = get_settings()
    store.migrate(settings)
    with store.open_session(store.make_engine(settings)) as session:
        found = sources.list_sources(session)
        states = pulls.state_of(session, found, utcnow(), settings.sources_failing_after)
    rows = [
        {
            "name": s.name,
            "kind": s.kind,
            "base_url": s.base_url,
            "secret": s.secret,
            "units": [f"{u['scheme']}:{u['code']}" for u in s.units],
            "resources": s.resources,
            "cron": s.cron,
            "reconcile_cron": s.reconcile_cron,
            "enabled": s.enabled,
            "state": states[s.name].state,
            "last_success_at": local_iso(states[s.name].last_success_at),
        }
        for s in found
    ]
    print_rows(rows, as_json, "sources")


@sources_app.command("remove")
def remove(name: NameArg) -> None:
    """Delete a source (its ledger stays)."""
    from ioc import store
    from ioc.store import sources

    settings = get_settings()
    store.migrate(settings)
    with store.open_session(store.make_engine(settings)) as session:
        try:
            sources.delete_source(session, name, actor=_actor())
        except store.StoreError as exc:
            err.print(f"[red]error:[/red] {escape(str(exc))}")
            raise typer.Exit(1) from None
    console.print(f"removed source {escape(name)}")


@sources_app.command("test")
def test(name: NameArg, as_json: JsonOption = False, lang: LangOption = "vi") -> None:
    """Try a source: connect, authenticate, fetch, map and validate a first page."""
    job = _runner().run_now("source_test", _actor(), {"source": name})
    if job.problem is not None:
        _problem(job, lang)
    answer = job.result or {}
    if as_json:
        typer.echo(json.dumps(answer, ensure_ascii=False, indent=2))
    else:
        for check in answer.get("checks", []):
            console.print(escape(json.dumps(check, ensure_ascii=False)))
        console.print("ok" if answer.get("ok") else "[red]not ok[/red]")
    if not answer.get("ok"):
        raise typer.Exit(1)


@sources_app.command("pull")
def pull_(
    name: NameArg,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report only, publish nothing")
    ] = False,
    full: Annotated[bool, typer.Option("--full", help="Fetch everything, report drift")] = False,
    as_json: JsonOption = False,
    lang: LangOption = "vi",
) -> None:
    """Pull a source now; prints the report. Exit status 1 when the pull failed."""
    from ioc.jobs import pull

    request = pull.request(name, full=full, dry_run=dry_run, trigger="cli")
    job = _runner().run_now("pull", _actor(), request)
    report = job.result if job.problem is None else job.problem.get("extra", {}).get("pull")
    if report is None:
        _problem(job, lang)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print_report(report, lang)
    # the command's work is done and all it loaded lives until the process ends: frozen, the
    # collector does not walk it once more at the exit (a quarter of a second of a delta pull)
    gc.freeze()
    if job.problem is not None:
        raise typer.Exit(1)


def _print_report(report: dict[str, Any], lang: str) -> None:
    dry = _say("dry", lang) if report.get("dry_run") else ""
    counts = {k: v for k, v in report.items() if isinstance(v, int | float)}
    seconds = report.get("duration_seconds") or 0
    fields = {**counts, "seconds": f"{seconds:g}", "source": report["source"]}
    console.print(
        escape(
            _say("report", lang, **fields, mode=report["mode"], dry=dry, status=report["status"])
        )
    )
    for resource, r in (report.get("resources") or {}).items():
        before, after = r.get("watermark_before") or "—", r.get("watermark_after") or "—"
        line = _say(
            "resource",
            lang,
            resource=resource,
            before=before,
            after=after,
            run=r.get("run_id") or "—",
        )
        console.print(escape(line))
    reasons = {k: v for k, v in (report.get("reject_reasons") or {}).items() if v}
    if reasons:
        text = ", ".join(f"{k} {v}" for k, v in reasons.items())
        console.print(escape(_say("reasons", lang, reasons=text)))
    error = report.get("error")
    if error:
        where = "".join(f", {k} {error[k]}" for k in ("resource", "page", "field") if error.get(k))
        err.print(escape(_say("error", lang, text=error.get(lang) or error["code"], where=where)))


def _problem(job: Job, lang: str) -> NoReturn:
    problem = job.problem or {}
    err.print(f"[red]error:[/red] {escape(problem.get(lang) or problem.get('en', 'failed'))}")
    raise typer.Exit(1)


@sources_app.command("pulls")
def pulls_(
    name: NameArg,
    limit: Annotated[int, typer.Option(help="The newest this many")] = 20,
    as_json: JsonOption = False,
) -> None:
    """The ledger of a source's pulls, newest first."""
    from ioc import store
    from ioc.store import pulls

    settings = get_settings()
    store.migrate(settings)
    with store.open_session(store.make_engine(settings)) as session:
        found = pulls.list_pulls(session, name, limit)
    rows = [
        {
            "id": p.id,
            "status": p.status,
            "mode": p.mode,
            "dry_run": p.dry_run,
            "trigger": p.trigger,
            "started_by": p.started_by,
            "started_at": local_iso(p.started_at),
            "duration_seconds": p.duration_seconds,
            "fetched": p.fetched,
            "inserted": p.inserted,
            "replaced": p.replaced,
            "unchanged": p.unchanged,
            "rejected": p.rejected,
            "error": (p.error or {}).get("code"),
        }
        for p in found
    ]
    print_rows(rows, as_json, f"pulls of {name}")
