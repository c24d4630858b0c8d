"""The ``ioc`` command."""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ioc import db
from ioc.catalog import load_contract
from ioc.catalog.messages import Lang, describe
from ioc.config import Settings, display_zone, get_settings
from ioc.domain.formats import local_datetime, vn_number, vn_value
from ioc.domain.period import InvalidPeriod, Period

UnitOption = Annotated[
    str, typer.Option(help="Unit code: province (2 digits), district (3), commune (5)")
]
PeriodOption = Annotated[str, typer.Option(help="YYYY-YYYY/DN|CN")]
SchemeOption = Annotated[
    str | None, typer.Option(help="2025 or legacy (default: the period's own scheme)")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON")]
LangOption = Annotated[
    Lang, typer.Option("--lang", help="vi or en: the language of rules, fields and messages")
]
# what the commands print about runs, rejects and findings, Vietnamese first
_TEXTS: dict[str, dict[Lang, str]] = {
    "runs": {
        "vi": "lần nạp|tệp|trạng thái|đọc|nhận|thay thế|từ chối|cảnh báo",
        "en": "run|file|status|read|accepted|replaced|rejected|warnings",
    },
    "see_rejects": {
        "vi": "Xem các dòng bị từ chối: ioc rejects --run LẦN_NẠP",
        "en": "See the rejected rows with: ioc rejects --run RUN",
    },
    "reject": {
        "vi": "lần nạp {run} {file}{sheet}, dòng {row}, cột {column}, trường {school}: "
        "{rule} — {message}{value}",
        "en": "run {run} {file}{sheet}, row {row}, column {column}, school {school}: "
        "{rule} — {message}{value}",
    },
    "sheet": {"vi": ", trang tính {sheet!r}", "en": ", sheet {sheet!r}"},
    "value": {"vi": " (giá trị: {value!r})", "en": " (value: {value!r})"},
    "rejections": {"vi": "{n} dòng bị từ chối", "en": "{n} rejection(s)"},
    "chase": {"vi": "Trường cần đôn đốc: {n}", "en": "Schools to chase: {n}"},
    "chase_row": {
        "vi": "  {status} {school} {name} (hạn {due}{received}; kỳ báo cáo gần nhất {last})",
        "en": "  {status} {school} {name} (due {due}{received}; last reported {last})",
    },
    "received": {"vi": ", nhận ngày {date}", "en": ", received {date}"},
    "status_missing": {"vi": "chưa báo cáo", "en": "missing"},
    "status_late": {"vi": "muộn", "en": "late"},
    "findings": {"vi": "Phát hiện và cảnh báo: {n}", "en": "Findings and warnings: {n}"},
    "finding": {
        "vi": "  {rule}: {school} {name}, {field} = {value}: {message}",
        "en": "  {rule}: {school} {name}, {field} = {value}: {message}",
    },
    "loaded": {"vi": "đã nạp", "en": "loaded"},
    "failed": {"vi": "không đọc được tệp", "en": "file unreadable"},
    "rejected_strict": {"vi": "bị từ chối (chế độ nghiêm ngặt)", "en": "refused (strict mode)"},
}


def _text(key: str, lang: Lang, **values: Any) -> str:
    return _TEXTS[key][lang].format(**values)


app = typer.Typer(
    help="IOC-EDU: operations centre for a Department of Education and Training.",
    pretty_exceptions_show_locals=False,
)
console = Console()
err = Console(stderr=True)


def _period_option(period: str) -> Period:
    try:
        return Period.parse(period)
    except InvalidPeriod as exc:
        raise typer.BadParameter(str(exc)) from exc


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="CSV or XLSX return files")],
    period: Annotated[str | None, typer.Option(help="YYYY-YYYY/DN|CN when files lack it")] = None,
    strict: Annotated[bool, typer.Option(help="Reject the whole file if any row is bad")] = False,
    received: Annotated[
        str | None, typer.Option(help="Date the Department received the files (YYYY-MM-DD)")
    ] = None,
    lang: LangOption = "vi",
) -> None:
    """Load return files and publish a new snapshot."""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from ingest.runner import ingest as run_ingest
    from ioc.catalog.messages import file_message

    if period:
        _period_option(period)
    received_date = date.fromisoformat(received) if received else None
    stages = ("reading", "validating", "writing")
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("starting", total=len(paths) * len(stages) + 1)

        def advance(name: str, stage: str) -> None:
            bar.update(task, description=f"{name} {stage}".strip(), advance=1)

        reports = run_ingest(
            paths,
            period=period,
            strict=strict,
            received=received_date,
            settings=get_settings(),
            progress=advance,
        )
    table = Table(*_text("runs", lang).split("|"))
    for r in reports:
        table.add_row(
            str(r.run_id),
            Path(r.path).name,
            _text(r.status, lang) if r.status in _TEXTS else r.status,
            *map(vn_number, (r.rows_read, r.accepted, r.replaced, r.rejected, r.warnings)),
        )
    console.print(table)
    for r in reports:
        if r.message:  # in --lang, from the message's catalog code (the English one without)
            text = escape(file_message(r.message_code, lang, r.message_params, r.message) or "")
            err.print(f"[red]{text}[/red]" if r.status == "failed" else text)
    if any(r.rejected for r in reports):
        err.print(_text("see_rejects", lang))
    if any(r.status == "failed" for r in reports):
        raise typer.Exit(1)


@app.command()
def summary(
    unit: UnitOption,
    period: PeriodOption,
    scheme: SchemeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Totals of every count field and schools by level and ownership for a unit."""
    from ioc.views.summary import summary as build_summary

    settings, conn, found, school_year, term = _unit_context(unit, period, scheme)
    result = build_summary(
        conn, settings, code=found.code, school_year=school_year, term=term, scheme=found.scheme
    )
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        return
    _print_summary(result)


def _print_summary(result: dict[str, Any]) -> None:
    u = result["unit"]
    console.print(
        f"[bold]{u['name']}[/bold] ({u['code']}, {u['level']}, scheme {u['scheme']}) — "
        f"{result['period']}: {vn_number(result['schools'])} schools"
    )
    by = "  ".join(f"{k} {vn_number(v)}" for k, v in result["schools_by_level"].items())
    own = "  ".join(f"{k} {vn_number(v)}" for k, v in result["schools_by_ownership"].items())
    console.print(f"By level: {by}\nBy ownership: {own}")
    table = Table("field", "Chỉ tiêu", "total", "schools reporting")
    contract = load_contract()
    for name, t in result["totals"].items():
        table.add_row(
            name, contract.field(name).vi, vn_number(t["total"]), vn_number(t["schools_reporting"])
        )
    console.print(table)


@app.command()
def rejects(
    run: Annotated[int | None, typer.Option(help="Only this ingest run")] = None,
    as_json: JsonOption = False,
    lang: LangOption = "vi",
) -> None:
    """List rejected rows: file, row, column, rule and offending value."""
    settings = get_settings()
    try:
        conn = db.connect_published(settings)
    except db.DataError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    rows = describe(
        db.query(conn, "queries/rejects", settings, run_id=run, schools=None, account=None)
    )
    if as_json:
        sys.stdout.write(json.dumps(rows.to_dicts(), ensure_ascii=False, indent=2) + "\n")
        return
    for r in rows.iter_rows(named=True):
        line = _text(
            "reject",
            lang,
            run=r["run_id"],
            file=r["file_name"],
            sheet=_text("sheet", lang, sheet=r["sheet"]) if r["sheet"] else "",
            row=r["source_row"],
            column=r["column_name"] or "—",
            school=r["school_code"] or "—",
            rule=r[f"rule_label_{lang}"],
            message=r[f"message_{lang}"],
            value="" if r["value"] is None else _text("value", lang, value=r["value"]),
        )
        console.print(escape(line), highlight=False, soft_wrap=True)
    console.print(_text("rejections", lang, n=vn_number(rows.height)))


@app.command()
def demo(
    if_empty: Annotated[bool, typer.Option(help="Do nothing if data is already published")] = False,
    replace: Annotated[bool, typer.Option(help="Delete the published data first")] = False,
) -> None:
    """Build the demo (2025 Cần Thơ: old Cần Thơ, Hậu Giang, Sóc Trăng) from generated files."""
    from ingest.demo import build_demo

    settings = get_settings()
    if settings.published_db.exists():
        if if_empty:
            console.print(f"Data already published at {settings.published_db}; demo not rebuilt.")
            return
        if not replace:
            err.print(
                f"[red]{settings.published_db} already holds data: "
                "use --replace to delete it and build the demo[/red]"
            )
            raise typer.Exit(2)
        settings.published_db.unlink()
    started = time.perf_counter()
    reports = build_demo(settings)
    loaded = sum(r.accepted for r in reports)
    rejected = sum(r.rejected for r in reports)
    console.print(
        f"Demo built in {time.perf_counter() - started:.1f} s: {len(reports)} files, "
        f"{vn_number(loaded)} returns accepted, {vn_number(rejected)} rejected "
        "(planted data-quality problems; see 'ioc rejects')."
    )
    _demo_accounts(settings)


def _demo_accounts(settings: Settings) -> None:
    from ioc import store

    engine = store.make_engine(settings)
    store.migrate(engine)
    with store.open_session(engine) as session:
        demo = store.create_demo_accounts(session)
    table = Table("account", "role", "units", title=f"Demo accounts (password: {demo.password})")
    for account in demo.accounts:
        units = ", ".join(f"{s}:{c}" for s, c in account.units) or "all"
        table.add_row(account.username, str(account.role), units)
    console.print(table)
    console.print(f"Wall-screen token of demo-display: {demo.display_token}")


def _unit_context(
    unit: str, period: str, scheme: str | None
) -> tuple[Settings, Any, Any, str, str]:
    """Settings, a snapshot connection, the unit and the period of a --unit/--period command."""
    from ioc.views.units import find_unit

    at = _period_option(period)
    if scheme not in (None, "2025", "legacy"):
        raise typer.BadParameter("--scheme must be 2025 or legacy")
    settings = get_settings()
    try:
        conn = db.connect_published(settings)
        found = find_unit(conn, settings, unit, scheme or at.scheme)
    except db.DataError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    return settings, conn, found, at.school_year, at.term


STATUS_STYLE = {
    "meets": "green",
    "below": "red",
    "above": "red",
    "no_norm": "dim",
    "no_value": "dim",
}


@app.command()
def indicators(
    unit: UnitOption,
    period: PeriodOption,
    scheme: SchemeOption = None,
    children: Annotated[bool, typer.Option(help="One block per child unit")] = False,
    family: Annotated[str | None, typer.Option(help="Only this family, e.g. staff")] = None,
    as_json: JsonOption = False,
) -> None:
    """Every indicator with numerator, denominator, value, coverage, norm, target and change."""
    from ioc.views.indicators import indicator_values

    settings, conn, found, school_year, term = _unit_context(unit, period, scheme)
    try:
        rows = indicator_values(
            conn, settings, found, school_year, term, children=children, family=family
        )
    except db.DataError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    if not rows:
        console.print(f"{found.name}: chưa có số liệu cho kỳ {period} (no data for this period)")
        return
    _print_indicators(found.name, period, rows)


def _print_indicators(title: str, period: str, rows: list[dict[str, Any]]) -> None:
    for unit_name in dict.fromkeys(r["unit_name"] for r in rows):
        table = Table(
            "id",
            "Chỉ tiêu",
            "giá trị",
            "đơn vị",
            "tử số",
            "mẫu số",
            "định mức",
            "trạng thái",
            "mục tiêu",
            "so với năm trước",
            "bao phủ",
            title=f"{unit_name} — {period}",
        )
        for r in (r for r in rows if r["unit_name"] == unit_name):
            style = STATUS_STYLE.get(r["norm_status"], "")
            change = (
                ""
                if r["change"] is None
                else f"{'+' if r['change'] >= 0 else ''}{vn_value(r['change'])}"
            )
            if r["is_break"] and change:
                change += " ⌇"
            table.add_row(
                r["indicator_id"],
                r["name_vi"],
                vn_value(r["value"]),
                r["unit_vi"],
                vn_value(r["numerator"]),
                vn_value(r["denominator"]),
                vn_value(r["norm_value"]),
                f"[{style}]{r['norm_status']}[/{style}]" if style else r["norm_status"],
                vn_value(r["target_value"]),
                change,
                f"{r['schools_contributing']}/{r['schools_in_scope']}",
            )
        console.print(table)
    console.print("⌇ = 2025 reorganisation between the two years (values restated from schools)")


@app.command()
def quality(
    unit: UnitOption,
    period: PeriodOption,
    scheme: SchemeOption = None,
    as_json: JsonOption = False,
    lang: LangOption = "vi",
) -> None:
    """Completeness, timeliness and a quality score per child unit; schools to chase; findings."""
    from ioc.views.quality import quality_report

    settings, conn, found, school_year, term = _unit_context(unit, period, scheme)
    report = quality_report(conn, settings, found, school_year, term)
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    _print_quality(report, lang)


def _print_quality(report: dict[str, Any], lang: Lang) -> None:
    u = report["unit"]
    table = Table(
        "mã",
        "đơn vị",
        "phải báo cáo",
        "đã báo cáo",
        "đúng hạn",
        "thiếu",
        "muộn",
        "đầy đủ %",
        "đúng hạn %",
        "có phát hiện",
        "điểm",
        title=f"{u['name']} — {report['period']}",
    )
    rows = [
        *report["by_unit"],
        *(
            [{**report["total"], "unit_name": "Tổng", "unit_code": u["code"]}]
            if report["total"]
            else []
        ),
    ]
    for r in rows:
        table.add_row(
            r["unit_code"],
            r["unit_name"] or "(chưa xác định)",
            *map(
                vn_number,
                (
                    r["schools_expected"],
                    r["schools_reported"],
                    r["schools_on_time"],
                    r["schools_missing"],
                    r["schools_late"],
                ),
            ),
            vn_value(r["completeness_pct"]),
            vn_value(r["timeliness_pct"]),
            vn_number(r["schools_with_findings"]),
            vn_value(r["quality_score"]),
        )
    console.print(table)
    console.print(f"[bold]{_text('chase', lang, n=vn_number(len(report['chase_list'])))}[/bold]")
    for c in report["chase_list"]:
        when = _text("received", lang, date=c["first_received_date"])
        line = _text(
            "chase_row",
            lang,
            status=_text(f"status_{c['status']}", lang),
            school=c["school_code"],
            name=c["school_name"],
            due=c["due_date"],
            received=when if c["first_received_date"] else "",
            last=c["last_period"] or "—",
        )
        console.print(escape(line), highlight=False)
    console.print(f"[bold]{_text('findings', lang, n=vn_number(len(report['findings'])))}[/bold]")
    for f in report["findings"]:
        line = _text(
            "finding",
            lang,
            rule=f[f"rule_label_{lang}"],
            school=f["school_code"],
            name=f["school_name"],
            field=f[f"field_label_{lang}"] or "—",
            value=f["value"] or "—",
            message=f[f"message_{lang}"],
        )
        console.print(escape(line), highlight=False)


@app.command()
def export(
    unit: Annotated[
        str, typer.Option(help="Unit code: province (2 digits), district (3), commune (5), or VN")
    ],
    period: Annotated[str, typer.Option(help="YYYY-YYYY/DN|CN, latest or previous")],
    out: Annotated[Path, typer.Option(help="File to write (.xlsx/.csv/.pdf), or a folder")],
    scheme: SchemeOption = None,
    kind: Annotated[
        str | None,
        typer.Option(help="indicators, schools, quality or chase (default: the standard workbook)"),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="xlsx, csv or pdf (pdf: the standard report only)")
    ] = "xlsx",
) -> None:
    """Write a report: the Department's standard workbook, or one table (--kind)."""
    from ioc.reports.produce import ReportRequest, produce_published

    try:
        request = ReportRequest(unit, period, scheme, kind or "standard", (fmt.lower(),)).checked()
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    settings = get_settings()
    started = time.perf_counter()
    as_folder = out.is_dir() or not out.suffix  # a name without .xlsx/.csv/.pdf is a folder
    folder = out if as_folder else out.parent
    try:
        done = produce_published(settings, request, folder, out=None if as_folder else out)
    except db.DataError as exc:
        err.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    for path in done.paths:
        console.print(
            f"{path} ({vn_number(path.stat().st_size / 1024)} KB): {done.unit.name}, "
            f"{done.school_year}/{done.term}, {time.perf_counter() - started:.1f} s",
            highlight=False,
            soft_wrap=True,
        )


from ioc.cli.users import users_app  # noqa: E402  (the sub-app imports the store lazily)

app.add_typer(users_app, name="users")

targets_app = typer.Typer(help="The Department's own yearly targets per indicator and unit.")
app.add_typer(targets_app, name="targets")


@targets_app.command("import")
def targets_import(
    path: Annotated[
        Path,
        typer.Argument(help="CSV/XLSX: indicator_id, unit_code, school_year, target[, scheme]"),
    ],
) -> None:
    """Set targets from a file (all rows or none); statuses are recomputed."""
    from ingest.targets import import_targets
    from ioc.returns.read import FileError

    try:
        count = import_targets(path, get_settings())
    except (FileError, db.DataError) as exc:
        err.print(escape(exc.text("vi") if isinstance(exc, FileError) else str(exc)))
        raise typer.Exit(1) from exc
    console.print(f"{count} target(s) set.")


@targets_app.command("list")
def targets_list(
    as_json: JsonOption = False,
) -> None:
    """List the targets in force."""
    settings = get_settings()
    try:
        conn = db.connect_published(settings)
    except db.DataError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    rows = db.query(conn, "queries/targets", settings)
    if as_json:
        sys.stdout.write(
            json.dumps(rows.to_dicts(), ensure_ascii=False, indent=2, default=str) + "\n"
        )
        return
    table = Table("chỉ tiêu", "hệ", "đơn vị", "năm học", "mục tiêu", "người đặt", "lúc")
    for r in rows.iter_rows(named=True):
        table.add_row(
            r["indicator_id"],
            r["scheme"],
            f"{r['unit_code']} {r['unit_name'] or ''}",
            r["school_year"],
            vn_value(r["target_value"]),
            r["set_by"],
            local_datetime(r["set_at"], display_zone(), "%d/%m/%Y %H:%M"),
        )
    console.print(table)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
) -> None:
    """Start the dashboard (http://HOST:PORT/) and the API (/api/v1, documented at /api/docs)."""
    import uvicorn

    # the composition root: the one place the API and the dashboard meet
    from dashboards.app import mount
    from dashboards.wall.screens import ScreenError
    from ioc.api.browser import BrowserProtection
    from ioc.api.main import create_app

    settings = get_settings()
    app = create_app(settings)
    local = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    try:
        scripts = mount(app, settings.api_url or f"http://{local}:{port}", settings.wall_screens)
    except ScreenError as exc:  # IOC_WALL_SCREENS: which file, which screen, what is wrong
        err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(2) from exc
    console.print(f"IOC-EDU on http://{host}:{port}/ (API documentation: /api/docs)")
    uvicorn.run(
        BrowserProtection(app, settings, scripts),
        forwarded_allow_ips=settings.trusted_proxies,
        host=host,
        port=port,
        log_level="info",
        access_log=False,
        http="httptools",
        loop="uvloop",
    )
