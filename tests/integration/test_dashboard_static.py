"""The dashboard's JavaScript over real HTTP: component libraries' files gzipped (once, then
from memory, with their cache headers and validators), the partial plotly.js bundle."""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any

import dash_ag_grid
import httpx
import pytest

from dashboards.plotly_js import BUNDLE
from dashboards.plotly_js import PATH as PLOTLY_PATH

GZIP = {"Accept-Encoding": "gzip"}


def raw_get(url: str, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
    """The response and its body as sent (still compressed)."""
    with httpx.Client(timeout=30) as client, client.stream("GET", url, headers=headers) as r:
        return r, b"".join(r.iter_raw())


@pytest.fixture(scope="module")
def ag_grid_url(api_server: Any) -> str:
    page = httpx.get(f"{api_server.base}/login", timeout=30).text
    (src,) = re.findall(r'src="(/_dash-component-suites/dash_ag_grid/[^"]+\.js)"', page)
    return api_server.base + src


def test_a_component_library_is_served_gzipped_and_the_same_bytes_each_time(
    ag_grid_url: str,
) -> None:
    original = (Path(dash_ag_grid.__file__).parent / "dash_ag_grid.min.js").read_bytes()
    first, first_body = raw_get(ag_grid_url, GZIP)
    second, second_body = raw_get(ag_grid_url, GZIP)
    for response, body in ((first, first_body), (second, second_body)):
        assert response.status_code == 200
        assert response.headers["content-encoding"] == "gzip"
        assert int(response.headers["content-length"]) == len(body) < len(original) / 3
        assert "max-age=31536000" in response.headers["cache-control"]  # fingerprinted
        assert response.headers["content-type"].startswith("text/javascript") or response.headers[
            "content-type"
        ].startswith("application/javascript")
        assert gzip.decompress(body) == original
    assert second_body == first_body


def test_without_gzip_the_file_comes_plain(ag_grid_url: str) -> None:
    response, body = raw_get(ag_grid_url, {"Accept-Encoding": "identity"})
    assert response.status_code == 200 and "content-encoding" not in response.headers
    assert body == (Path(dash_ag_grid.__file__).parent / "dash_ag_grid.min.js").read_bytes()


def test_an_unfingerprinted_chunk_is_revalidated_with_its_gzip_etag(api_server: Any) -> None:
    url = f"{api_server.base}/_dash-component-suites/dash/dcc/async-dropdown.js"
    for _ in range(2):  # the first answer is computed, the second comes from memory
        response, body = raw_get(url, GZIP)
        assert response.status_code == 200 and response.headers["content-encoding"] == "gzip"
        assert gzip.decompress(body).startswith(b"(self.webpackChunk")
        etag = response.headers["etag"]
        assert etag.endswith(':gzip"')
        again, nothing = raw_get(url, {**GZIP, "If-None-Match": etag})
        assert again.status_code == 304 and nothing == b""
    stale, _ = raw_get(url, {**GZIP, "If-None-Match": '"something-else:gzip"'})
    assert stale.status_code == 200


def test_unknown_files_are_not_found(api_server: Any) -> None:
    response, _ = raw_get(f"{api_server.base}/_dash-component-suites/dash/nothing-here.js", GZIP)
    assert response.status_code >= 400


def test_plotly_js_is_the_partial_bundle_gzipped(api_server: Any) -> None:
    response, body = raw_get(api_server.base + PLOTLY_PATH, GZIP)
    assert response.status_code == 200 and response.headers["content-encoding"] == "gzip"
    assert gzip.decompress(body) == BUNDLE.read_bytes()
    again, nothing = raw_get(
        api_server.base + PLOTLY_PATH, {"If-None-Match": response.headers["etag"]}
    )
    assert again.status_code == 304 and nothing == b""
    plain, plain_body = raw_get(api_server.base + PLOTLY_PATH, {"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain_body == BUNDLE.read_bytes()
