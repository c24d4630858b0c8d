"""``ioc demo``: build the demo province and its accounts."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.table import Table

from ioc.cli.output import console, err
from ioc.config import Settings, get_settings
from ioc.domain.formats import vn_number


def demo(
    if_empty: Annotated[bool, typer.Option(help="Do nothing if data is already published")] = False,
    replace: Annotated[bool, typer.Option(help="Delete the published data first")] = False,
) -> None:
    """Build the demo (2025 Cần Thơ: old Cần Thơ, Hậu Giang, Sóc Trăng) from generated files."""
    from ingest.demo import build_demo
    from ingest.demo.approvals import approve_demo

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
    _demo_exams(settings)
    started = time.perf_counter()
    reviewed = approve_demo(settings)
    if reviewed is not None:
        console.print(
            f"Đã duyệt {vn_number(reviewed.approved)} báo cáo; "
            f"{vn_number(reviewed.pending)} báo cáo chờ duyệt "
            f"({time.perf_counter() - started:.1f} s)."
        )
    _demo_accounts(settings)


def _demo_exams(settings: Settings) -> None:
    from ingest.demo import build_demo_exams

    started = time.perf_counter()
    files, reports = build_demo_exams(settings)
    real_paths = {str(p) for p in files.real}
    results = reports[: len(files.results)]  # then the registration list's run
    real = sum(r.accepted for r in results if r.path in real_paths)
    demo = sum(r.accepted for r in results) - real
    linked = sum(r.accepted for r in reports[len(files.results) :])
    shared = (
        f"; {vn_number(real)} thí sinh thật của {len(files.real)} tỉnh "
        f"({files.real[0].parent}) để so sánh các tỉnh."
        if files.real
        else "; không có kết quả thật (../shared/data/real/exam_vn_2025) để so sánh."
    )
    console.print(
        f"Thi tốt nghiệp THPT 2025 ({time.perf_counter() - started:.1f} s): "
        f"{vn_number(demo)} thí sinh của 3 hội đồng thi demo (Cần Thơ, Hậu Giang, Sóc Trăng), "
        f"{vn_number(linked)} gắn với trường THPT{shared}"
    )


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
