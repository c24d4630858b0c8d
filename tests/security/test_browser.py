"""Issue 13, items 7 and 9: no open redirect, and the browser protections: writes from a
cookie session must come from the product's own origin, the session cookie is Secure over
HTTPS (directly or through a trusted proxy only), sign-out is a POST, and every answer
carries the framing, sniffing, referrer and content-security headers the dashboard works
under (checked in chromium: no console errors)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ioc.config import Settings
from tests.conftest import serve, upload_and_wait
from tests.e2e.conftest import Console
from tests.security.conftest import PASSWORD

PROXY = "127.0.0.2"  # the only trusted proxy of this server
EVIL = "https://evil.example"
HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


@pytest.fixture(scope="module")
def server(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Its own server (these tests upload and sign out), trusting only 127.0.0.2 as a proxy."""
    env = {"IOC_TRUSTED_PROXIES": PROXY}
    yield from serve(demo_settings, tmp_path_factory.mktemp("browser"), env)


def from_address(base: str, address: str) -> httpx.Client:
    """A client whose connections leave from ``address`` (any 127.x.y.z is the loopback)."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=base, transport=transport, timeout=60)


def session(base: str, username: str) -> str:
    answer = httpx.post(
        f"{base}/api/v1/auth/login", json={"username": username, "password": PASSWORD}
    )
    assert answer.status_code == 200, answer.text
    return answer.cookies["ioc_session"]


def upload(base: str, headers: dict[str, str]) -> httpx.Response:
    body = b"ma_truong,nam_hoc\n"
    files = {"file": ("upload.csv", body, "text/csv")}
    return upload_and_wait(  # type: ignore[no-any-return]
        httpx, f"{base}/api/v1/ingest", files=files, headers=headers, timeout=120
    )


def test_a_cross_site_upload_with_the_session_cookie_is_refused(server: Any) -> None:
    cookie = f"ioc_session={session(server.base, 'demo-operator')}"
    for claimed in ({"Origin": EVIL}, {"Referer": f"{EVIL}/page"}, {"Origin": "null"}):
        refused = upload(server.base, {"Cookie": cookie, **claimed})
        assert refused.status_code == 403, (claimed, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["code"] == "cross_site_request"
    # from the product's own pages, the same request goes through to the route
    same = upload(server.base, {"Cookie": cookie, "Origin": server.base})
    assert same.status_code != 403 and same.json().get("code") != "cross_site_request"
    referred = upload(server.base, {"Cookie": cookie, "Referer": f"{server.base}/ingest"})
    assert referred.json().get("code") != "cross_site_request"


def test_a_bearer_token_is_not_subject_to_the_origin_check(server: Any) -> None:
    token = {"Authorization": "Bearer ioc_demo-display-soc-trang-94", "Origin": EVIL}
    answer = httpx.post(f"{server.base}/api/v1/auth/logout", headers=token)
    assert answer.status_code == 204, answer.text


def test_the_session_cookie_is_secure_behind_a_trusted_proxy_only(server: Any) -> None:
    body = {"username": "demo-leader", "password": PASSWORD}
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.20"}
    with from_address(server.base, PROXY) as proxy:
        behind = proxy.post("/api/v1/auth/login", json=body, headers=https)
        plain = proxy.post("/api/v1/auth/login", json=body)
    assert behind.status_code == 200 and plain.status_code == 200
    assert "secure" in behind.headers["set-cookie"].lower()
    assert "secure" not in plain.headers["set-cookie"].lower()
    with from_address(server.base, "127.0.0.1") as stranger:
        spoofed = stranger.post("/api/v1/auth/login", json=body, headers=https)
    assert spoofed.status_code == 200
    assert "secure" not in spoofed.headers["set-cookie"].lower()


def test_sign_out_is_a_post(server: Any) -> None:
    secret = session(server.base, "demo-analyst")
    cookies = {"ioc_session": secret}
    with httpx.Client(base_url=server.base, cookies=cookies, timeout=60) as browser_like:
        browser_like.get("/_logout")  # a link or an image cannot sign anyone out
        assert browser_like.get("/api/v1/auth/me").status_code == 200
        cross = browser_like.post("/_logout", headers={"Origin": EVIL})
        assert cross.status_code == 403
        assert browser_like.get("/api/v1/auth/me").status_code == 200
        out = browser_like.post("/_logout", headers={"Origin": server.base})
        assert out.status_code == 303 and out.headers["location"] == "/login"
    gone = httpx.get(f"{server.base}/api/v1/auth/me", cookies=cookies)
    assert gone.status_code == 401


@pytest.mark.parametrize(
    "path", ["/api/v1/health", "/api/v1/nothing", "/login", "/assets/style.css", "/_lang/en"]
)
def test_every_answer_carries_the_browser_headers(server: Any, path: str) -> None:
    answer = httpx.get(f"{server.base}{path}")
    for name, value in HEADERS.items():
        assert answer.headers.get(name) == value, (path, name)
    policy = answer.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert (
        "script-src 'self' 'sha256-" in policy
        and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )


@pytest.mark.parametrize(
    "target",
    [
        "/%09/evil.example",
        "/%2509/evil.example",
        "//evil.example",
        "/\\evil.example",
        "\\/evil.example",
        "https://evil.example",
        "https:evil.example",
        "/%0d%0a/evil.example",
        "%2F%2Fevil.example",
        "javascript:alert(1)",
        " //evil.example",
    ],
)
def test_switching_language_never_redirects_elsewhere(server: Any, target: str) -> None:
    answer = httpx.get(f"{server.base}/_lang/en?next={target}")
    assert answer.status_code in (301, 302, 303, 307, 308)
    assert answer.headers["location"] == "/", target


def test_switching_language_keeps_a_path_of_the_site(server: Any) -> None:
    answer = httpx.get(f"{server.base}/_lang/en", params={"next": "/map?unit=94&scheme=legacy"})
    assert answer.headers["location"] == "/map?unit=94&scheme=legacy"


def test_the_overview_runs_under_the_policy_in_chromium(
    server: Any,
    browser: Any,
) -> None:
    console = Console()
    context = browser.new_context()
    context.add_cookies(
        [{"name": "ioc_session", "value": session(server.base, "demo-leader"), "url": server.base}]
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    console.watch(page)
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content-Security" in m.text else 0)
    answer = page.goto(server.base + "/")
    assert answer is not None and "script-src" in answer.headers["content-security-policy"]
    page.wait_for_selector("#overview-tiles")
    page.click("#logout")  # the sign-out button is a form posting from this origin
    page.wait_for_selector("#login-username")
    context.close()
    assert not violations and not console.errors, console.errors
