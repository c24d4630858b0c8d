"""Issue 13, item 8: a 304 is never given before the caller is verified and allowed. An
ETag is compared only with the answer the API produced (or kept) for this very caller and
URL; an invalid credential gets 401 and an out-of-scope caller 403 whatever If-None-Match
says. Authenticated answers carry ``Cache-Control: private``."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import serve
from tests.security.conftest import signed_in

VALUES = "/api/v1/indicators/values"
AT_945 = {"unit": "945", "period": "2023-2024/DN", "scheme": "legacy"}
AT_943 = {**AT_945, "unit": "943"}  # another old district of province 94


@pytest.fixture(scope="module")
def server(demo_settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Its own server: a test below signs a session out."""
    yield from serve(demo_settings, tmp_path_factory.mktemp("etag"))


def test_a_signed_out_session_with_a_matching_etag_gets_401(server: Any) -> None:
    client = signed_in(server.base, "demo-leader")
    first = client.get("/api/v1/periods")
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert client.post("/api/v1/auth/logout").status_code == 204
    stale = httpx.get(
        f"{server.base}/api/v1/periods",
        headers={"If-None-Match": etag, "Cookie": first.request.headers["cookie"]},
    )
    assert stale.status_code == 401, stale.text
    assert stale.headers["content-type"] == "application/problem+json"


def test_an_invalid_token_with_the_etag_it_would_have_gets_401(server: Any) -> None:
    """The build id is public (/health); an ETag derived from it and the credentials'
    text alone could be forged for any token."""
    build = httpx.get(f"{server.base}/api/v1/health").json()["build_id"]
    authorization = "Bearer ioc_not-a-real-token"
    forged = f'W/"{build}-{hashlib.sha256(authorization.encode()).hexdigest()[:12]}"'
    for etag in (forged, "*"):
        answer = httpx.get(
            f"{server.base}/api/v1/periods",
            headers={"Authorization": authorization, "If-None-Match": etag},
        )
        assert answer.status_code == 401, (etag, answer.status_code)


def test_an_out_of_scope_analyst_gets_403_not_304(server: Any) -> None:
    analyst = signed_in(server.base, "demo-analyst-945")
    mine = analyst.get(VALUES, params=AT_945)
    assert mine.status_code == 200
    other = analyst.get(VALUES, params=AT_943, headers={"If-None-Match": mine.headers["etag"]})
    assert other.status_code == 403, other.status_code
    assert other.json()["code"] == "unit_out_of_scope"
    again = analyst.get(VALUES, params=AT_943, headers={"If-None-Match": "*"})
    assert again.status_code == 403


def test_a_valid_repeat_is_304_and_answers_are_private(server: Any) -> None:
    leader = signed_in(server.base, "demo-leader")
    first = leader.get(VALUES, params={**AT_945, "unit": "94"})
    assert first.status_code == 200
    assert "private" in first.headers["cache-control"]
    province, etag = {**AT_945, "unit": "94"}, first.headers["etag"]
    for _ in range(2):
        again = leader.get(VALUES, params=province, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"] == first.headers["etag"]
        assert "private" in again.headers["cache-control"]
    # the same ETag on another URL is not that URL's answer
    other = leader.get(VALUES, params=AT_945, headers={"If-None-Match": first.headers["etag"]})
    assert other.status_code == 200
    assert other.headers["etag"] != first.headers["etag"]


def test_exports_and_errors_are_private_and_not_stored(server: Any) -> None:
    leader = signed_in(server.base, "demo-leader")
    export = leader.get("/api/v1/units.csv", params={"limit": 5})
    assert export.status_code == 200
    assert export.headers["cache-control"] == "private, no-store"
    assert "etag" not in export.headers  # every download is answered (and audited)
    me = leader.get("/api/v1/auth/me")
    assert "private" in me.headers["cache-control"]
    anonymous = httpx.get(f"{server.base}/api/v1/periods")
    assert anonymous.status_code == 401
    assert "etag" not in anonymous.headers
