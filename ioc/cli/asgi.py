"""The application ``ioc serve`` runs: the API with the dashboard mounted at ``/``, behind the
browser protection (the one place the API and the dashboard meet).

With one process the command builds it in its own process (:func:`build`); with several
(``--workers N``) uvicorn starts each worker from the import string ``ioc.cli.asgi:app``
(a factory), and each builds its own from the environment the command prepared. Either way
the command has done the one-time work first (snapshot schema, official figures, store
migration and first account), so a worker only opens what is there.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp

from ioc import logs
from ioc.config import Settings, get_settings

#: DuckDB's size units (``SET memory_limit``): decimal and binary multiples of a byte
UNITS = {
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}
SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)
PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")


def build(settings: Settings) -> ASGIApp:
    """The API and the dashboard for ``settings``. The dashboard's calls reach the API at
    ``api_url`` when it is set, else this very application, in-process
    (:class:`~dashboards.api_transport.InProcess`)."""
    from dashboards.api_client import Api
    from dashboards.api_transport import LOCAL_URL, InProcess
    from dashboards.app import mount
    from ioc.api.browser import BrowserProtection
    from ioc.api.main import create_app
    from ioc.api.request_log import RequestLog

    api = create_app(settings, store_prepared=True)
    local = None if settings.api_url else InProcess()
    if local is not None:
        Api.in_process(LOCAL_URL, local)
    scripts = mount(api, settings.api_url or LOCAL_URL, settings.wall_screens)
    # outermost (uvicorn runs with proxy_headers=False): request ids and the request log
    app = RequestLog(BrowserProtection(api, settings, scripts), settings, api.state.auth.remembered)
    return app if local is None else local.serve(app)


def app() -> ASGIApp:
    """uvicorn's factory, called once in each worker process: settings from the environment
    (``IOC_WORKERS`` set by ``ioc serve``), DuckDB's share of this one."""
    settings = worker_share(get_settings())
    logs.configure(settings)
    return build(settings)


def worker_share(settings: Settings) -> Settings:
    """One worker's DuckDB threads and memory limit when ``settings.workers`` processes share
    the machine: the configured ones divided among them (each worker opens the snapshot in a
    DuckDB of its own), unless ``IOC_DUCKDB_THREADS`` / ``IOC_DUCKDB_MEMORY_LIMIT`` were set,
    which then hold for each worker as they are."""
    workers, given = settings.workers, settings.model_fields_set
    if workers == 1:
        return settings
    update: dict[str, object] = {}
    if "duckdb_threads" not in given:
        update["duckdb_threads"] = max(1, settings.duckdb_threads // workers)
    if "duckdb_memory_limit" not in given:
        update["duckdb_memory_limit"] = share_of(settings.duckdb_memory_limit, workers)
    return settings.model_copy(update=update)


def share_of(limit: str, workers: int) -> str:
    """``limit`` (a DuckDB memory limit: ``2GB``, ``1.5GiB``, ``80%``) divided by ``workers``,
    in whole megabytes (or a percentage); a limit not understood is kept as it is."""
    if match := PERCENT.match(limit):
        return f"{float(match[1]) / workers:g}%"
    match = SIZE.match(limit)
    unit = UNITS.get(match[2].lower() or "b") if match else None
    if match is None or unit is None:
        return limit
    size = float(match[1]) * unit / workers
    return f"{max(1, int(size // 10**6))}MB"
