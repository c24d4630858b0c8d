"""IOC-EDU as a source: /api/v1/sync/returns and /sync/schools over real HTTP from `ioc serve`
of the demo data. The pages read back through the contract's validation give exactly the
published returns; paging is by keyset; the reads are scoped; a sync account (created with
`ioc users`) reads these and nothing else."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import duckdb
import httpx
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ioc import store
from ioc.catalog import load_contract, load_rules
from ioc.config import Settings
from ioc.returns.parse import cast_to_contract
from ioc.returns.validate import check
from ioc.sources.spec import REGISTRY_FIELDS
from tests.conftest import run_ioc, serve

PASSWORD = "demo-2025!"
DISPLAY_TOKEN = "ioc_demo-display-soc-trang-94"


@pytest.fixture(scope="module")
def server(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from serve(demo_settings, tmp_path_factory.mktemp("sync"))


@pytest.fixture(scope="module")
def tokens(server: Any) -> dict[str, str]:
    """A sync account of every unit (made through the store) and one of old district 945
    (made with `ioc users`, as an operator would)."""
    settings = Settings(data_dir=server.data_dir)
    engine = store.make_engine(settings)
    try:
        with store.open_session(engine) as session:
            store.create_user(session, "national", "sync-pass-2025!", "sync")
            everything, _ = store.create_token(session, "national", "national instance")
    finally:
        engine.dispose()
    run_ioc(settings, "users", "add", "sync-945", "--role", "sync", "--unit", "legacy:945")
    created = run_ioc(settings, "users", "token", "create", "sync-945", "--name", "province")
    (line,) = [ln for ln in created.stdout.splitlines() if "(shown once" in ln]
    return {"all": everything, "945": line.rsplit(" ", 1)[1]}


def client(server: Any, token: str | None = None, username: str | None = None) -> httpx.Client:
    c = httpx.Client(base_url=f"{server.base}/api/v1", timeout=60)
    if token:
        c.headers["Authorization"] = f"Bearer {token}"
    if username:
        r = c.post("/auth/login", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
    return c


def pages(
    c: httpx.Client, resource: str, timings: list[float] | None = None, **params: Any
) -> tuple[list[dict[str, Any]], Any]:
    """Every record of a resource, following `next`; and the answers' version."""
    items: list[dict[str, Any]] = []
    after, version = None, None
    while True:
        query = {**params, **({"after": after} if after else {})}
        started = time.perf_counter()
        r = c.get(f"/sync/{resource}", params=query)
        if timings is not None:
            timings.append(time.perf_counter() - started)
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"items", "next", "version"}
        items += body["items"]
        version = body["version"]
        after = body["next"]
        if after is None:
            return items, version


def snapshot(server: Any, statement: str) -> pl.DataFrame:
    with duckdb.connect(str(server.data_dir / "ioc.duckdb"), read_only=True) as conn:
        return conn.sql(statement).pl()


def test_pages_read_back_through_the_contract_are_the_published_returns(
    server: Any, tokens: dict[str, str]
) -> None:
    c = client(server, tokens["all"])
    started = time.perf_counter()
    first = c.get("/sync/returns", params={"limit": 1000})
    elapsed = time.perf_counter() - started
    assert first.status_code == 200 and len(first.json()["items"]) == 1000
    print(f"\none page of 1000 returns: {elapsed * 1000:.0f} ms, {len(first.content)} bytes")

    times: list[float] = []
    items, version = pages(c, "returns", limit=1000, timings=times)
    print(f"{len(times)} pages: median {sorted(times)[len(times) // 2] * 1000:.0f} ms")
    published = snapshot(
        server,
        "select * exclude (sheet, source_row) from core_school__period_returns "
        "order by run_id, school_code, school_year, term",
    )
    assert len(items) == published.height
    # ordered by (_version, school, year, term), each once, versions the runs that wrote them
    keys = [(i["_version"], i["school_code"], i["school_year"], i["term"]) for i in items]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert [k[0] for k in keys] == published["run_id"].to_list()
    assert version == published["run_id"].max()
    # every value is text (or blank), as a file holds it
    assert all(isinstance(v, str | None) for i in items for k, v in i.items() if k != "_version")
    assert any(re.fullmatch(r"\d+\.\d+", i["latitude"] or "") for i in items)
    assert not any((v or "").endswith(".0") for i in items for k, v in i.items() if k != "_version")

    contract = load_contract()
    text = pl.DataFrame(
        [{k: v for k, v in i.items() if k != "_version"} for i in items],
        schema=dict.fromkeys([f.name for f in contract.fields], pl.String),
    ).with_columns(pl.int_range(pl.len()).alias("_row"), pl.lit(None, pl.String).alias("_sheet"))
    units = snapshot(server, "select * from core_geo__units")
    checked = check(
        cast_to_contract(text, contract),
        text,
        contract=contract,
        rules=load_rules(),
        units=units,
        period=None,
    )
    assert checked.rejects.is_empty(), checked.rejects.head()
    read_back = checked.accepted.drop("_sheet", "_row")
    assert_frame_equal(read_back, published.drop("run_id").select(read_back.columns))


def test_since_and_period_narrow_the_pages(server: Any, tokens: dict[str, str]) -> None:
    c = client(server, tokens["all"])
    runs = snapshot(
        server,
        "select run_id, count(*) as n from core_school__period_returns group by all order by 1",
    )
    last, before = runs.row(-1), runs.row(-2)
    items, version = pages(c, "returns", since=before[0], limit=500)
    assert len(items) == last[1] + before[1] and version == last[0]
    assert {i["_version"] for i in items} == {before[0], last[0]}
    items, _ = pages(c, "returns", period="2021-2022/DN", limit=5000)
    expected = snapshot(
        server,
        "select count(*) from core_school__period_returns where school_year = '2021-2022' "
        "and term = 'DN'",
    ).item()
    assert len(items) == expected and {(i["school_year"], i["term"]) for i in items} == {
        ("2021-2022", "DN")
    }
    beyond = c.get("/sync/returns", params={"since": last[0] + 1}).json()
    assert beyond == {"items": [], "next": None, "version": None}


def test_the_registry_pages(server: Any, tokens: dict[str, str]) -> None:
    items, version = pages(client(server, tokens["all"]), "schools", limit=300)
    registry = snapshot(server, "select * from core_school__registry order by school_code")
    assert sorted(i["school_code"] for i in items) == registry["school_code"].to_list()
    assert set(items[0]) == {*REGISTRY_FIELDS, "scheme", "_version"}
    assert version == max(i["_version"] for i in items)
    assert {i["status"] for i in items} == {"open"}
    by_code = {i["school_code"]: i for i in items}
    for row in registry.head(50).iter_rows(named=True):
        item = by_code[row["school_code"]]
        assert (item["school_name"], item["level"], item["ownership"]) == (
            row["school_name"],
            row["level"],
            row["ownership"],
        )
        place = "legacy" if item["scheme"] == "legacy" else "2025"
        assert item["province_code"] == row[f"province_code_{place}"]
        assert item["commune_code"] == row[f"commune_code_{place}"]


def test_a_scoped_sync_account_reads_only_its_schools(server: Any, tokens: dict[str, str]) -> None:
    items, _ = pages(client(server, tokens["945"]), "returns", limit=5000)
    seen = {i["school_code"] for i in items}
    inside = set(
        snapshot(
            server,
            "select school_code from core_school__registry where district_code_legacy = '945' "
            "or commune_code_2025 in (select commune_code_2025 "
            "from core_geo__commune_crosswalk group by all "
            "having bool_and(legacy_district_code = '945'))",
        )["school_code"]
    )
    assert seen and seen == inside
    schools, _ = pages(client(server, tokens["945"]), "schools", limit=5000)
    assert {s["school_code"] for s in schools} == inside


def test_a_sync_account_reads_nothing_else(server: Any, tokens: dict[str, str]) -> None:
    c = client(server, tokens["all"])
    document = httpx.get(f"{server.base}/api/openapi.json").json()
    tried = 0
    for path, operations in document["paths"].items():
        if path.startswith(("/api/v1/sync/", "/api/v1/health", "/api/v1/auth/login")):
            continue
        url = re.sub(r"\{[^}]+\}", "94", path.removeprefix("/api/v1"))
        for method in operations:
            r = c.request(method.upper(), url, params={"unit": "94", "period": "2021-2022/DN"})
            assert r.status_code == 403, (method, path, r.status_code, r.text[:200])
            assert r.json()["code"] == "sync_only"
            tried += 1
    assert tried > 30
    for export in ("/schools.csv", "/indicators/values.xlsx", "/quality.csv"):
        r = c.get(export, params={"unit": "94", "period": "2021-2022/DN"})
        assert r.status_code == 403, export


def test_who_reads_the_sync_endpoints(server: Any) -> None:
    for username in ("demo-admin", "demo-leader"):
        r = client(server, username=username).get("/sync/returns", params={"limit": 1})
        assert r.status_code == 200 and len(r.json()["items"]) == 1
    for username in ("demo-analyst", "demo-operator"):
        r = client(server, username=username).get("/sync/schools")
        assert r.status_code == 403 and r.json()["code"] == "role_forbidden"
    assert client(server, DISPLAY_TOKEN).get("/sync/returns").status_code == 403
    assert client(server).get("/sync/returns").status_code == 401


def test_bad_paging_parameters_are_problems(server: Any, tokens: dict[str, str]) -> None:
    c = client(server, tokens["all"])
    for params in ({"limit": 0}, {"limit": 5001}, {"after": "not-a-cursor"}, {"since": -1}):
        r = c.get("/sync/returns", params=params)
        assert r.status_code == 422, params
        assert r.headers["content-type"].startswith("application/problem+json")
