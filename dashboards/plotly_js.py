"""plotly.js for the dashboard's charts: the vendored partial bundle, compressed once.

Dash's renderer loads plotly.js from :data:`PATH` the first time a page shows a chart. The
route added by :func:`add_route` answers that address ahead of the Dash app with
``vendor/plotly/plotly-ioc.min.js`` (the same plotly.js version as plotly.py's, holding only
the trace types the dashboard draws; see its README), gzipped once instead of per request.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

BUNDLE = Path(__file__).parent / "vendor" / "plotly" / "plotly-ioc.min.js"
PATH = "/_dash-component-suites/plotly/package_data/plotly.min.js"
MEDIA_TYPE = "application/javascript"


@functools.cache
def _payload() -> tuple[bytes, bytes, str]:
    """The bundle, its gzip and its ETag."""
    raw = BUNDLE.read_bytes()
    return raw, gzip.compress(raw, 9, mtime=0), f'"{hashlib.sha256(raw).hexdigest()[:32]}"'


async def plotly_js(request: Request) -> Response:
    raw, packed, etag = _payload()
    # the address carries no fingerprint: a browser revalidates after an hour (304 if unchanged)
    headers = {"ETag": etag, "Cache-Control": "public, max-age=3600", "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(packed, media_type=MEDIA_TYPE, headers=headers)
    return Response(raw, media_type=MEDIA_TYPE, headers=headers)


def add_route(asgi_app: Any) -> None:
    """Answer :data:`PATH` before the Dash app mounted at ``/`` does."""
    _payload()  # compress at start, not on the first chart
    asgi_app.add_route(PATH, plotly_js, methods=["GET", "HEAD"])
