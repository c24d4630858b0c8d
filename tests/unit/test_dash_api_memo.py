"""What the dashboard's API client asks once rather than on every page: the indicator
catalog (once per process) and the health (once per build, named by the periods' ETag)."""

from __future__ import annotations

from collections import Counter

import httpx

from dashboards.api_client import Api, Credentials, build_of


def _api(base: str, builds: list[str], asked: Counter[str]) -> Api:
    def answer(request: httpx.Request) -> httpx.Response:
        asked[request.url.path] += 1
        build = builds[0]
        if request.url.path.endswith("/periods"):
            return httpx.Response(200, json=[], headers={"ETag": f'W/"{build}-0a1b2c"'})
        if request.url.path.endswith("/health"):
            return httpx.Response(200, json={"build_id": build, "display_timezone": "UTC"})
        return httpx.Response(200, json={"indicators": []})

    Api._pools[base] = httpx.Client(
        base_url=base + "/api/v1", transport=httpx.MockTransport(answer)
    )
    return Api(base, Credentials(session="s"))


def test_the_build_is_read_from_the_etag() -> None:
    assert build_of('W/"d93b81dd1ad6-685395d78fc45382"') == "d93b81dd1ad6"
    assert build_of(None) is None and build_of("") is None


def test_health_is_asked_once_per_build() -> None:
    asked: Counter[str] = Counter()
    builds = ["b1"]
    base = "http://memo-health.test"
    for _ in range(3):
        client = _api(base, builds, asked)
        client.periods()
        assert client.build_health()["build_id"] == "b1"
    assert asked["/api/v1/health"] == 1 and asked["/api/v1/periods"] == 3
    builds[0] = "b2"  # a new build is published: asked again
    client = _api(base, builds, asked)
    client.periods()
    assert client.build_health()["build_id"] == "b2"
    assert asked["/api/v1/health"] == 2


def test_without_periods_first_the_health_is_asked() -> None:
    asked: Counter[str] = Counter()
    client = _api("http://memo-none.test", ["b1"], asked)
    client.build_health()
    client.build_health()
    assert asked["/api/v1/health"] == 2


def test_the_catalog_is_asked_once() -> None:
    asked: Counter[str] = Counter()
    for _ in range(3):
        _api("http://memo-catalog.test", ["b1"], asked).catalog()
    assert asked["/api/v1/catalog/indicators"] == 1
