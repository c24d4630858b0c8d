"""The transport of pulls against the reference vendor server on loopback (real HTTP): paging,
updates while paging, tokens that expire, 429/5xx storms, time-outs, bad configuration and
credentials kept out of every error and log line."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ingest.sources.base import Page, PullError
from ingest.sources.files import read_tables
from ingest.sources.http import retry_after
from ingest.sources.http_file import fetch_file
from ingest.sources.http_json import next_link, since_value
from ingest.sources.kinds import fetcher_for
from ioc.catalog.source_messages import source_message
from ioc.config import Settings
from tests.tools.vendor_server import (
    CREDENTIALS,
    Vendor,
    sample_rows,
    secret,
    vendor_mapping,
    vendor_server,
    vendor_source,
)

ROWS = sample_rows(230)
MODES = ["cursor", "page", "offset", "link"]


def settings(**kw: Any) -> Settings:
    base = {"sources_backoff_seconds": 0.01, "sources_max_backoff_seconds": 5.0}
    return Settings(**(base | kw))


@pytest.fixture(scope="module")
def vendor() -> Iterator[Vendor]:
    with vendor_server(ROWS) as server:
        yield server


@pytest.fixture
def fresh() -> Iterator[Vendor]:
    with vendor_server(ROWS) as server:
        yield server


def pull(
    server: Vendor,
    mode: str = "cursor",
    *,
    auth: str = "oauth2",
    size: int = 50,
    overlap: int = 300,
    since: str | None = None,
    resume: dict[str, Any] | None = None,
    conf: Settings | None = None,
    **kw: Any,
) -> tuple[list[Page], Any]:
    spec = vendor_source(
        server.url, mapping=vendor_mapping(mode, size=size, auth=auth, overlap=overlap)
    )
    fetcher = fetcher_for(spec, secret(auth), conf or settings(), **kw)
    try:
        return list(fetcher.pages("returns", since, resume)), fetcher
    finally:
        fetcher.close()


def codes(pages: list[Page]) -> list[str]:
    return [str(row["school_code"]) for page in pages for row in page.rows]


@pytest.mark.parametrize(
    ("mode", "auth"),
    [("cursor", "oauth2"), ("page", "api_key"), ("offset", "basic"), ("link", "api_key_query")],
)
def test_every_paging_type_gives_every_row_once(vendor: Vendor, mode: str, auth: str) -> None:
    pages, fetcher = pull(vendor, mode, auth=auth)
    assert sorted(codes(pages)) == sorted(r["school_code"] for r in ROWS)
    assert [p.number for p in pages] == list(range(1, len(pages) + 1))
    assert pages[-1].last and not any(p.last for p in pages[:-1])
    assert fetcher.retries == 0
    by_code = {row["school_code"]: row for page in pages for row in page.rows}
    for given in ROWS[:20]:  # every field the row has, as its text, codes mapped back
        got = by_code[given["school_code"]]
        assert {k: v for k, v in got.items() if k in given} == given
        assert all(got[k] is None for k in got if k not in given)


def test_rows_updated_while_paging_are_seen_and_deltas_overlap(fresh: Vendor) -> None:
    spec = vendor_source(fresh.url, mapping=vendor_mapping("cursor", size=50))
    fetcher = fetcher_for(spec, secret(), settings())
    seen: list[Page] = []
    for page in fetcher.pages("returns", None, None):
        seen.append(page)
        if page.number == 1:  # a row already read, and one not read yet, change now
            first, later = dict(ROWS[3]), dict(ROWS[200])
            first["students"], later["students"] = "999", "888"
            fresh.update([first, later])
    fetcher.close()
    rows = [
        (r["school_code"], r["students"], v)
        for p in seen
        for r, v in zip(p.rows, p.versions, strict=True)
    ]
    assert {code for code, _, _ in rows} == {r["school_code"] for r in ROWS}
    firsts = [r for r in rows if r[0] == ROWS[3]["school_code"]]
    assert [s for _, s, _ in firsts] == [ROWS[3]["students"], "999"]  # the later version last
    assert firsts[0][2] < firsts[1][2]  # ... with a higher version
    assert [s for c, s, _ in rows if c == ROWS[200]["school_code"]] == ["888"]
    watermark = max(v for _, _, v in rows if v)

    # a delta: rows changed after the watermark, the edge asked again, a deletion reported
    fresh.update([ROWS[10]])
    fresh.delete([(ROWS[11]["school_code"], "2025-2026", "DN")])
    assert since_value(watermark, 5) < watermark  # the vendor's clock: 1 s per change
    pages, _ = pull(fresh, since=watermark, overlap=5)
    got = codes(pages)
    assert ROWS[10]["school_code"] in got and ROWS[200]["school_code"] in got  # overlap
    assert len(got) == 7  # the edge (5 s) and the change
    [tomb] = [t for p in pages for t in p.tombstones]
    assert (tomb.school_code, tomb.school_year, tomb.term) == (
        ROWS[11]["school_code"],
        "2025-2026",
        "DN",
    )
    assert tomb.version is not None and tomb.version > watermark
    assert ROWS[11]["school_code"] not in got


def test_tokens_expiring_mid_pull_are_refreshed(fresh: Vendor) -> None:
    fresh.faults.token_uses = 2
    pages, fetcher = pull(fresh, size=40)
    assert sorted(codes(pages)) == sorted(r["school_code"] for r in ROWS)
    assert fresh.tokens_issued == 3  # 6 pages, 2 requests per token
    assert fresh.statuses().count(401) == 2
    assert fetcher.retries == 0  # a new token is not a retry


def test_retry_after_is_honoured(fresh: Vendor) -> None:
    fresh.faults.statuses, fresh.faults.retry_after = [429, 503], "1"
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    started = time.monotonic()
    pages, fetcher = pull(fresh, size=100, sleep=sleep)
    assert time.monotonic() - started >= 2.0
    assert waits == [1.0, 1.0]
    assert fetcher.retries == 2
    assert len(codes(pages)) == len(ROWS)


def test_a_storm_of_5xx_recovers(fresh: Vendor) -> None:
    fresh.faults.error_rate = 0.5
    pages, fetcher = pull(fresh, size=40, conf=settings(sources_retries=10))
    assert sorted(codes(pages)) == sorted(r["school_code"] for r in ROWS)
    errors = [s for s in fresh.statuses() if s >= 500]
    assert errors and fetcher.retries == len(errors)


def test_too_many_retries_names_the_last_status(fresh: Vendor) -> None:
    fresh.faults.statuses, fresh.faults.retry_after = [502] * 5, None
    with pytest.raises(PullError) as caught:
        pull(fresh, conf=settings(sources_retries=2))
    error = caught.value
    assert (error.code, error.resource, error.page) == ("too_many_retries", "returns", 1)
    assert error.params == {"retries": 2, "status": 502}
    assert "HTTP 502" in str(source_message(error.code, "en", error.params))


def test_a_read_time_out_is_retried_then_reported(fresh: Vendor) -> None:
    conf = settings(sources_read_timeout=0.3, sources_retries=2)
    fresh.faults.slow_seconds, fresh.faults.slow_requests = 1.0, 1
    pages, fetcher = pull(fresh, size=100, conf=conf)
    assert fetcher.retries == 1 and len(codes(pages)) == len(ROWS)

    fresh.faults.slow_requests = -1  # every answer is late
    with pytest.raises(PullError) as caught:
        pull(fresh, size=100, conf=conf)
    error = caught.value
    assert (error.code, error.source, error.resource, error.page) == (
        "timeout",
        "vendor-a",
        "returns",
        1,
    )
    assert error.params["retries"] == 2 and error.params["seconds"] == 0.3


def test_wrong_credentials_unknown_host_and_wrong_path(vendor: Vendor) -> None:
    spec = vendor_source(vendor.url, mapping=vendor_mapping("cursor", auth="oauth2"))
    wrong = secret() | {"client_secret": secret("basic")["password"]}
    with pytest.raises(PullError) as caught:
        list(fetcher_for(spec, wrong, settings()).pages("returns", None, None))
    assert (caught.value.code, caught.value.page) == ("wrong_credentials", 1)
    assert caught.value.params == {"status": 401, "secret": "vendor-a-secret"}

    spec = vendor_source(vendor.url, mapping=vendor_mapping("cursor", auth="api_key"))
    wrong = {"api_key": secret("basic")["password"]}
    with pytest.raises(PullError) as caught:
        list(fetcher_for(spec, wrong, settings()).pages("returns", None, None))
    assert caught.value.code == "wrong_credentials"

    with pytest.raises(PullError) as caught:  # a secret without the key its auth needs
        fetcher_for(spec, {}, settings())
    assert (caught.value.code, caught.value.params["key"]) == ("secret_key_missing", "api_key")

    spec = vendor_source("http://no-such-host.invalid", mapping=vendor_mapping("cursor"))
    with pytest.raises(PullError) as caught:
        list(fetcher_for(spec, secret(), settings(sources_retries=1)).pages("schools", None, None))
    error = caught.value
    assert (error.code, error.source, error.resource, error.page) == (
        "unreachable",
        "vendor-a",
        "schools",
        1,
    )
    assert error.params == {"host": "no-such-host.invalid", "retries": 1}

    mapping = vendor_mapping("page", auth="api_key")
    mapping["resources"]["returns"]["path"] = "/api/v2/khong-co"
    spec = vendor_source(vendor.url, mapping=mapping)
    with pytest.raises(PullError) as caught:
        list(fetcher_for(spec, secret("api_key"), settings()).pages("returns", None, None))
    assert (caught.value.code, caught.value.params["path"]) == ("wrong_path", "/api/v2/khong-co")


def _broken(vendor: Vendor, change: dict[str, Any], field: str | None = None) -> PullError:
    mapping = vendor_mapping("cursor", size=100, auth="api_key")
    returns = mapping["resources"]["returns"]
    for key, value in change.items():
        if key == "next_cursor":
            returns["paging"]["next_cursor"] = value
        else:
            returns[key] = value
    if field:
        returns["fields"][field] = "so_hoc_sinh_cu"
    spec = vendor_source(vendor.url, mapping=mapping)
    with pytest.raises(PullError) as caught:
        list(fetcher_for(spec, secret("api_key"), settings()).pages("returns", None, None))
    return caught.value


def test_a_response_not_as_the_mapping_says(vendor: Vendor) -> None:
    error = _broken(vendor, {}, field="students")
    assert (error.code, error.field, error.page, error.resource) == (
        "field_missing",
        "students",
        1,
        "returns",
    )
    assert error.params == {"path": "so_hoc_sinh_cu"}
    body = error.body()
    text = source_message(
        error.code,
        "vi",
        error.params,
        **{k: body[k] for k in ("source", "resource", "page", "field")},
    )
    assert text == (
        "nguồn vendor-a, tài nguyên returns, trang 1: không bản ghi nào của trang có trường"
        " 'so_hoc_sinh_cu' (ánh xạ tới Số học sinh)"
    )
    assert "(resource returns, page 1, field students)" in str(error)

    assert _broken(vendor, {"records": "ket_qua.danh_sach"}).code == "no_records"
    assert _broken(vendor, {"records": "ket_qua"}).code == "no_records"  # an object, no list
    assert _broken(vendor, {"next_cursor": "phan_trang.sau"}).code == "no_cursor"
    error = _broken(vendor, {"path": "/files/bao-cao.csv"})
    assert (error.code, error.params["content_type"]) == ("not_json", "text/csv")


def test_a_body_larger_than_the_limit_is_refused(vendor: Vendor) -> None:
    with pytest.raises(PullError) as caught:
        pull(vendor, size=100, conf=settings(sources_max_response_bytes=20_000))
    assert (caught.value.code, caught.value.params) == ("body_too_large", {"limit": 20_000})


@pytest.mark.parametrize("mode", MODES)
def test_a_pull_resumes_after_its_last_page(vendor: Vendor, mode: str) -> None:
    whole, _ = pull(vendor, mode)
    spec = vendor_source(vendor.url, mapping=vendor_mapping(mode, size=50))
    fetcher = fetcher_for(spec, secret(), settings())
    pages = fetcher.pages("returns", None, None)
    first = [next(pages), next(pages)]  # killed after page 2
    fetcher.close()
    resume = json.loads(json.dumps(first[-1].resume))  # as the checkpoint holds it
    rest, _ = pull(vendor, mode, resume=resume)
    assert rest[0].number == 3
    assert [p.number for p in rest] == [p.number for p in whole[2:]]
    assert codes(first + rest) == codes(whole)


def test_credentials_appear_in_no_error_log_or_repr(
    fresh: Vendor, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "ingest"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    shown: list[str] = []
    fresh.faults.statuses = [429, 500]
    fresh.faults.token_uses = 1
    for auth in ("oauth2", "api_key", "api_key_query", "basic"):
        pages, fetcher = pull(fresh, "link" if auth == "api_key_query" else "cursor", auth=auth)
        shown += [repr(fetcher), repr(fetcher.http.signer), json.dumps([p.resume for p in pages])]
    refused = secret("basic")["password"]  # a credential too: it must not show either
    for auth, key in (("oauth2", "client_secret"), ("api_key_query", "api_key")):
        spec = vendor_source(fresh.url, mapping=vendor_mapping("cursor", auth=auth))
        with pytest.raises(PullError) as caught:
            pull_secret = secret(auth) | {key: refused}
            list(fetcher_for(spec, pull_secret, settings()).pages("returns", None, None))
        shown += [str(caught.value), repr(caught.value), json.dumps(caught.value.body())]
    assert any("GET" in r.getMessage() and "httpx" in r.name for r in caplog.records)
    everything = caplog.text + "\n".join(shown)
    for value in CREDENTIALS:
        assert value not in everything


def test_ioc_edu_pages_resume_and_since(vendor: Vendor) -> None:
    spec = vendor_source(vendor.url, kind="ioc-edu", name="tinh-94")
    fetcher = fetcher_for(spec, secret("bearer"), settings())
    fetcher.page_size = 100  # type: ignore[attr-defined]
    pages = list(fetcher.pages("returns", None, None))
    assert [len(p.rows) for p in pages] == [100, 100, 30] and pages[-1].last
    assert sorted(codes(pages)) == sorted(r["school_code"] for r in ROWS)
    assert pages[0].rows[0] == ROWS[0]  # the contract's fields as text, no mapping
    versions = [int(v or 0) for p in pages for v in p.versions]
    assert versions == sorted(versions)
    resumed = list(fetcher.pages("returns", None, pages[0].resume))
    assert codes(resumed) == codes(pages[1:]) and resumed[0].number == 2
    since = str(versions[-5])  # inclusive
    assert len(codes(list(fetcher.pages("returns", since, None)))) == 5
    fetcher.close()

    with pytest.raises(PullError) as caught:
        wrong = {"token": secret("oauth2")["client_id"]}
        list(fetcher_for(spec, wrong, settings()).pages("returns", None, None))
    assert caught.value.code == "wrong_credentials"


def test_http_file_downloads_then_is_unchanged(fresh: Vendor, tmp_path: Path) -> None:
    spec = vendor_source(
        fresh.url,
        kind="http-file",
        mapping={"auth": {"type": "api_key"}, "path": "/files/bao-cao.csv"},
    )
    got = fetch_file(spec, secret("api_key"), settings(), None, tmp_path)
    assert not got.unchanged and got.path == tmp_path / "bao-cao-truong.csv"
    assert got.validator and got.validator.startswith('"')
    _, [table] = read_tables(got.path, settings())  # the file reader reads it
    assert table.data["school_code"].to_list() == [r["school_code"] for r in ROWS]

    again = fetch_file(spec, secret("api_key"), settings(), got.validator, tmp_path)
    assert again.unchanged and again.path is None and again.validator == got.validator
    assert fresh.statuses()[-2:] == [200, 304]

    fresh.update([ROWS[0] | {"students": "1"}])
    changed = fetch_file(spec, secret("api_key"), settings(), got.validator, tmp_path)
    assert not changed.unchanged and changed.validator != got.validator


def test_headers_of_retries_and_links() -> None:
    assert retry_after("3") == 3.0
    assert retry_after("Fri, 04 Dec 2026 10:00:05 GMT", now=1796378400.0) == 5.0
    assert retry_after("soon") is None and retry_after(None) is None
    link = '<https://v.example/a?page=2>; rel="next", <https://v.example/a?page=9>; rel="last"'
    assert next_link([link]) == "https://v.example/a?page=2"
    assert next_link(['<https://v.example/a?page=9>; rel="last"']) is None
    assert since_value("2026-12-04T09:12:00Z", 300) == "2026-12-04T09:07:00Z"
    assert since_value("2026-12-04T09:12:00+07:00", 60) == "2026-12-04T09:11:00+07:00"
    assert since_value("57", 300) == "57"


def test_tokens_renewed_before_they_expire(fresh: Vendor) -> None:
    fresh.faults.token_ttl = 0.4  # the token says so in expires_in: renewed before, no 401
    fresh.faults.slow_seconds, fresh.faults.slow_requests = 0.15, -1
    pages, _ = pull(fresh, size=50)
    assert len(codes(pages)) == len(ROWS)
    assert fresh.tokens_issued >= 2


def test_the_registry_is_mapped_back() -> None:
    schools = [
        {
            "school_code": r["school_code"],
            "school_name": r["school_name"],
            "level": r["level"],
            "ownership": r["ownership"],
            "province_code": "94",
            "district_code": r["district_code"],
            "commune_code": r["commune_code"],
            "status": "closed" if i == 2 else "open",
            "opened_year": "2019-2020",
            "closed_year": "2024-2025" if i == 2 else None,
            "email": f"c{i}@example.edu.vn",
        }
        for i, r in enumerate(ROWS[:7])
    ]
    with vendor_server([], schools=schools) as server:
        spec = vendor_source(server.url, resources=["schools"])
        fetcher = fetcher_for(spec, secret(), settings())
        pages = list(fetcher.pages("schools", None, None))
        fetcher.close()
    assert [row for page in pages for row in page.rows] == schools
    assert all(v for page in pages for v in page.versions)


def test_a_refused_connection_is_unreachable() -> None:
    from tests.tools.vendor_server import free_port

    spec = vendor_source(f"http://127.0.0.1:{free_port()}", kind="ioc-edu")
    fetcher = fetcher_for(spec, secret("bearer"), settings(sources_retries=2))
    with pytest.raises(PullError) as caught:
        next(fetcher.pages("returns", None, None))
    assert (caught.value.code, caught.value.params["retries"]) == ("unreachable", 2)
    assert fetcher.retries == 2


def test_every_pull_error_has_its_words_in_the_catalog() -> None:
    import re

    from ioc.catalog.definitions import load_messages

    root = Path(__file__).resolve().parents[2] / "ingest" / "sources"
    text = "".join(p.read_text(encoding="utf-8") for p in root.glob("*.py"))
    raised = set(re.findall(r'(?:error|PullError|_Retry)\(\s*"(\w+)"', text))
    assert {"unreachable", "timeout", "too_many_retries", "field_missing"} <= raised
    assert raised <= set(load_messages().sources)
