"""``ioc serve``: the API and the dashboard in one process."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from ioc import db
from ioc.cli.output import console, err
from ioc.config import get_settings


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
) -> None:
    """Start the dashboard (http://HOST:PORT/) and the API (/api/v1, documented at /api/docs)."""
    import uvicorn

    # the composition root: the one place the API and the dashboard meet
    from dashboards.app import mount
    from dashboards.wall.screens import ScreenError
    from ingest.approvals import approval_mode_changed, publish_reviews
    from ioc.api.browser import BrowserProtection
    from ioc.api.main import create_app

    settings = get_settings()
    if db.upgrade_schema(settings):  # a snapshot written by an older version
        console.print("Dữ liệu đã được cập nhật theo phiên bản mới / snapshot schema upgraded")
    if approval_mode_changed(settings):  # IOC_APPROVAL changed: official figures made again
        publish_reviews(settings, [])
        console.print(
            f"Đã tính lại số liệu chính thức theo IOC_APPROVAL={settings.approval} / "
            f"official figures recomputed for IOC_APPROVAL={settings.approval}"
        )
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
