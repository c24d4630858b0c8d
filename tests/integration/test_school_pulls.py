"""Per school, when it was last pulled and from where (issue 16, the ledger): a small data dir
holding one uploaded file of six Sóc Trăng schools, two of them pulled (twice) from the
reference vendor server on loopback, and an older period of one of them pulled as a return
file from a URL; the real API (`ioc serve`) answers each school's pulls, as JSON, CSV and
XLSX, scoped like the school itself."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest

from ingest.pull import pull
from ingest.runner import ingest
from ioc import store
from ioc.config import Settings
from tests.conftest import serve
from tests.fixtures import table_rows, write_csv
from tests.tools.vendor_server import (
    sample_rows,
    secret,
    vendor_mapping,
    vendor_server,
    vendor_source,
)

PASSWORD = "demo-2025!"  # as tests/e2e signs in
FILE_PERIOD = "2024-2025/CN"
URL_PERIOD = ("2023-2024", "CN")  # the period of the return file pulled from a URL
PULLED = ("94100001", "94100002")  # sample_rows(2): the first two schools of the file
FILE_ONLY = "94200001"  # old district 942: loaded from the file only
CHANGED = PULLED[1]  # changed at the vendor between the two pulls


@dataclass
class Pulled:
    """What the pulls did, read from their reports: to check the API's answer against."""

    first: dict[str, Any]
    second: dict[str, Any]
    from_url: dict[str, Any]  # the pull of source vendor-file (http-file)
    started: datetime
    between: datetime
    ended: datetime


def pulled_data(settings: Settings, work: Path) -> Pulled:
    """A data dir with the uploaded file, a return file of the first school pulled from a URL,
    two pulls of the vendor's returns and registry (the second after a change of one school's
    return; the registry lists that school) and accounts: a leader, an analyst of old
    district 942, an operator of 941."""
    (report,) = ingest(
        [write_csv(work / "truong-so-gd.csv", table_rows())], period=FILE_PERIOD, settings=settings
    )
    assert report.status == "loaded", report.message
    with vendor_server(sample_rows(1, school_year=URL_PERIOD[0], term=URL_PERIOD[1])) as files:
        mapping = {"auth": {"type": "api_key"}, "path": "/files/bao-cao.csv"}
        spec = vendor_source(files.url, name="vendor-file", kind="http-file", mapping=mapping)
        from_url = pull(spec, secret("api_key"), settings, workdir=work / "file")
        assert from_url["status"] == "succeeded", from_url["error"]
    rows = sample_rows(len(PULLED), school_year="2024-2025", term="DN")
    assert tuple(r["school_code"] for r in rows) == PULLED
    listed = {k: rows[1][k] for k in ("school_code", "school_name", "level", "ownership")}
    listed |= {k: rows[1][k] for k in ("province_code", "district_code", "commune_code")}
    listed |= {"status": "open", "opened_year": "2019-2020", "closed_year": None, "email": None}
    with vendor_server(rows, schools=[listed]) as vendor:
        spec = vendor_source(
            vendor.url,
            mapping=vendor_mapping("cursor", size=50),
            resources=["returns", "schools"],
        )
        started = datetime.now(UTC)
        first = pull(spec, secret(), settings, workdir=work / "pull")
        assert first["status"] == "succeeded", first["error"]
        between = datetime.now(UTC)
        vendor.update([rows[1] | {"students": "777"}])
        second = pull(spec, secret(), settings, workdir=work / "pull")
        assert second["status"] == "succeeded", second["error"]
        ended = datetime.now(UTC)
    returns, listed_run = first["resources"]["returns"], first["resources"]["schools"]
    assert (returns["inserted"], listed_run["inserted"]) == (2, 1), first
    assert second["resources"]["returns"]["replaced"] == 1, second
    store.migrate(settings)
    engine = store.make_engine(settings)
    try:
        with store.open_session(engine) as session:
            store.create_user(session, "leader", PASSWORD, "leader")
            store.create_user(
                session, "analyst-942", PASSWORD, "analyst", units=[("legacy", "942")]
            )
            store.create_user(
                session, "operator-941", PASSWORD, "operator", units=[("legacy", "941")]
            )
    finally:
        engine.dispose()
    return Pulled(first, second, from_url, started, between, ended)


@pytest.fixture(scope="module")
def pulled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Pulled]]:
    root = tmp_path_factory.mktemp("school-pulls")
    made = pulled_data(Settings(data_dir=root / "data"), root)
    for server in serve(Settings(data_dir=root / "data"), root / "served"):
        yield server, made


def signed_in(server: Any, username: str) -> httpx.Client:
    c = httpx.Client(base_url=f"{server.base}/api/v1", timeout=30)
    r = c.post("/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return c


def test_a_pulled_school_says_when_from_where_which_version_and_run(
    pulled: tuple[Any, Pulled],
) -> None:
    server, made = pulled
    leader = signed_in(server, "leader")
    first = made.first["resources"]["returns"]
    second = made.second["resources"]["returns"]

    body = leader.get(f"/schools/{PULLED[0]}").json()
    entry, from_url = body["pulls"]  # newest first
    assert {k: entry[k] for k in ("source", "source_kind", "resource", "school_year", "term")} == {
        "source": "vendor-a",
        "source_kind": "http-json",
        "resource": "returns",
        "school_year": "2024-2025",
        "term": "DN",
    }
    # unchanged by the second pull: still as the first pull stored it
    assert entry["run_id"] == first["run_id"]
    assert entry["version"] < first["watermark_after"]  # the vendor's stamp of that row
    assert made.started <= datetime.fromisoformat(entry["pulled_at"]) <= made.between
    # the older period, a return file pulled from a URL: its run says when, its ETag which
    url = made.from_url["resources"]["returns"]
    assert {k: from_url[k] for k in ("source", "source_kind", "resource", "run_id")} == {
        "source": "vendor-file",
        "source_kind": "http-file",
        "resource": "returns",
        "run_id": url["run_id"],
    }
    assert (from_url["school_year"], from_url["term"]) == URL_PERIOD
    assert from_url["version"] == url["watermark_after"] and from_url["version"].startswith('"')
    assert datetime.fromisoformat(from_url["pulled_at"]) <= made.started

    # changed at the vendor: as the second pull stored it; and its registry row (no period)
    by_resource = {p["resource"]: p for p in leader.get(f"/schools/{CHANGED}").json()["pulls"]}
    changed, listed = by_resource.pop("returns"), by_resource.pop("schools")
    assert not by_resource
    assert changed["run_id"] == second["run_id"] != first["run_id"]
    assert changed["version"] == second["watermark_after"] > first["watermark_after"]
    assert made.between <= datetime.fromisoformat(changed["pulled_at"]) <= made.ended
    registry = made.first["resources"]["schools"]
    assert (listed["school_year"], listed["term"]) == ("", "")
    assert (listed["run_id"], listed["version"]) == (
        registry["run_id"],
        registry["watermark_after"],
    )
    assert made.started <= datetime.fromisoformat(listed["pulled_at"]) <= made.between

    # the files part names the source and resource of a pulled period, the file of the other
    files = {(f["school_year"], f["term"]): f for f in files_of(leader, PULLED[0])}
    assert files[URL_PERIOD]["source_name"] == "vendor-file"
    assert files[("2024-2025", "DN")]["source_name"] == "vendor-a"
    assert files[("2024-2025", "DN")]["pull_resource"] == "returns"
    assert files[("2024-2025", "CN")]["source_name"] is None
    assert files[("2024-2025", "CN")]["file_name"] == "truong-so-gd.csv"

    # a school only ever loaded from a file: no pulls
    assert leader.get(f"/schools/{FILE_ONLY}").json()["pulls"] == []
    assert leader.get(f"/schools/{FILE_ONLY}/pulls").json() == []


def files_of(client: httpx.Client, code: str) -> list[dict[str, Any]]:
    r = client.get(f"/schools/{code}/files")
    assert r.status_code == 200, r.text
    return list(r.json())


def test_pulls_as_a_list_in_every_format_and_by_period(pulled: tuple[Any, Pulled]) -> None:
    server, _ = pulled
    leader = signed_in(server, "leader")
    pulls = leader.get(f"/schools/{CHANGED}").json()["pulls"]
    assert leader.get(f"/schools/{CHANGED}/pulls").json() == pulls
    of_period = leader.get(f"/schools/{CHANGED}/pulls", params={"period": "2024-2025/DN"})
    assert of_period.json() == [p for p in pulls if p["resource"] == "returns"]
    assert leader.get(f"/schools/{CHANGED}/pulls", params={"period": FILE_PERIOD}).json() == []

    csv = leader.get(f"/schools/{CHANGED}/pulls.csv")
    assert csv.status_code == 200 and "attachment" in csv.headers["content-disposition"]
    from_csv = pl.read_csv(io.BytesIO(csv.content[3:]), infer_schema_length=None)
    assert from_csv["resource"].to_list() == [p["resource"] for p in pulls]
    assert from_csv["run_id"].to_list() == [p["run_id"] for p in pulls]
    xlsx = leader.get(f"/schools/{CHANGED}/pulls.xlsx", params={"headers": "vi"})
    assert xlsx.status_code == 200
    frame = pl.read_excel(io.BytesIO(xlsx.content))
    assert frame.columns[:3] == ["Nguồn dữ liệu", "Loại nguồn", "Loại dữ liệu"]
    assert frame["Nguồn dữ liệu"].to_list() == ["vendor-a"] * len(pulls)
    assert frame["Phiên bản tại nguồn"].to_list() == [p["version"] for p in pulls]


def test_pulls_are_scoped_like_the_school(pulled: tuple[Any, Pulled]) -> None:
    server, _ = pulled
    analyst = signed_in(server, "analyst-942")
    for path in (
        f"/schools/{CHANGED}",
        f"/schools/{CHANGED}/pulls",
        f"/schools/{CHANGED}/pulls.csv",
    ):
        refused = analyst.get(path)
        assert refused.status_code == 403 and refused.json()["code"] == "school_out_of_scope"
    assert analyst.get(f"/schools/{FILE_ONLY}/pulls").json() == []
    operator = signed_in(server, "operator-941")
    assert operator.get(f"/schools/{CHANGED}/pulls").json()[0]["source"] == "vendor-a"
    anonymous = httpx.get(f"{server.base}/api/v1/schools/{CHANGED}/pulls")
    assert anonymous.status_code == 401
