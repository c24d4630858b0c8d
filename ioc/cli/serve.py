"""``ioc serve``: the API and the dashboard, in one process or in N worker processes."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer
from rich.markup import escape

from ioc import db, logs
from ioc.cli.output import console, err
from ioc.config import Settings, get_settings

#: SIGTERM: requests in flight get this long to finish before the process stops
GRACEFUL_SHUTDOWN_SECONDS = 30


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1, max=32, help="Worker processes answering on the port (default IOC_WORKERS, 1)"
        ),
    ] = None,
) -> None:
    """Start the dashboard (http://HOST:PORT/) and the API (/api/v1, documented at /api/docs)."""
    import uvicorn

    from ioc.api.activity import remove_stale, server_file
    from ioc.cli.asgi import build

    settings = get_settings()
    settings = settings.model_copy(update={"workers": workers or settings.workers})
    logs.configure(settings)
    prepare(settings)
    count = "" if settings.workers == 1 else f", {settings.workers} workers"
    console.print(f"IOC-EDU on http://{host}:{port}/ (API documentation: /api/docs{count})")
    options: dict[str, Any] = {
        # X-Forwarded-* from IOC_TRUSTED_PROXIES are believed inside the request log, which
        # sees the peer first (ioc.api.request_log)
        "proxy_headers": False,
        "log_config": logs.uvicorn_log_config(settings),
        "host": host,
        "port": port,
        "log_level": "info",
        "access_log": False,
        "http": "httptools",
        "loop": "uvloop",
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_SECONDS,
    }
    if settings.workers == 1:
        uvicorn.run(build(settings), **options)
        return
    # each worker builds the application from the environment (ioc.cli.asgi.app)
    os.environ["IOC_WORKERS"] = str(settings.workers)
    remove_stale()  # left by a server killed before it could remove its own
    try:
        uvicorn.run("ioc.cli.asgi:app", factory=True, workers=settings.workers, **options)
    finally:
        server_file(os.getpid()).unlink(missing_ok=True)  # where the workers counted requests


def prepare(settings: Settings) -> None:
    """The one-time work, done here once before any process serves: the snapshot's schema,
    the official figures after an IOC_APPROVAL change, the wall screens file (exit 2 with
    what is wrong in it), the store's migrations and its first account (whose password is
    printed here, once)."""
    from dashboards.wall.screens import ScreenError
    from dashboards.wall.screens import load as load_screens
    from ingest.approvals import approval_mode_changed, publish_reviews
    from ioc import store
    from ioc.api.auth import prepare_store

    if db.upgrade_schema(settings):  # a snapshot written by an older version
        console.print("Dữ liệu đã được cập nhật theo phiên bản mới / snapshot schema upgraded")
    if approval_mode_changed(settings):  # IOC_APPROVAL changed: official figures made again
        publish_reviews(settings, [])
        console.print(
            f"Đã tính lại số liệu chính thức theo IOC_APPROVAL={settings.approval} / "
            f"official figures recomputed for IOC_APPROVAL={settings.approval}"
        )
    try:
        load_screens(settings.wall_screens)
    except ScreenError as exc:  # IOC_WALL_SCREENS: which file, which screen, what is wrong
        err.print(f"[red]error:[/red] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(2) from exc
    engine = store.make_engine(settings)
    try:
        prepare_store(engine)
    finally:
        engine.dispose()
