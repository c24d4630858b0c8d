"""Every kind of source, end to end, through the product's own entry points: a second IOC-EDU
instance (`ioc-edu`, its sync API and a `sync` token) pulled into a fresh data directory; a
return file served with an ETag (`http-file`, CSV and XLSX); a vendor's registry and returns
(`http-json`) and the quality page's coverage; the server path (`POST /sources/{name}/pull`
as an operator, ledger, state, dry run, full pull with drift, the published build); the
schedule of a source; and bad configurations, each a clear error naming the source (and the
page and field) that changes nothing.

One demo server (``hub``) per module is both the IOC-EDU instance pulled from and the server
whose sources are pulled; the reference vendor server (tests/tools/vendor_server.py) runs in
this process."""

from __future__ import annotations

import io
import json
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest
import xlsxwriter
import yaml

from ioc.catalog import load_contract
from ioc.config import Settings
from ioc.sources.spec import REGISTRY_FIELDS
from tests.conftest import IOC, REPO, run_ioc, serve, wait_for_job
from tests.fixtures import published_returns, stored_text
from tests.security.conftest import signed_in
from tests.tools.vendor_server import SECRETS, sample_rows, vendor_mapping
from tests.tools.vendor_server import vendor_server as vendor_at

# every kind of source end to end (about 3 minutes): with the slow tests, as CI runs them
pytestmark = pytest.mark.slow

SOURCES = "/api/v1/sources"
YEAR = "2024-2025"  # Sóc Trăng (94) still has its legacy places
PERIOD = f"{YEAR}/DN"
ENV = {
    "IOC_SOURCES_BACKOFF_SECONDS": "0.05",
    "IOC_SOURCES_MAX_BACKOFF_SECONDS": "0.1",
    "IOC_SOURCES_RETRIES": "1",
    "IOC_SOURCES_CONNECT_TIMEOUT": "2",
    "IOC_SOURCES_READ_TIMEOUT": "5",
}


# -- shared parts --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def secrets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The secrets file of every instance here (read at each pull: tests add entries)."""
    path = tmp_path_factory.mktemp("secrets") / "secrets.yaml"
    path.write_text(yaml.safe_dump({"vendor": SECRETS["api_key"]}), encoding="utf-8")
    return path


def add_secret(secrets: Path, name: str, entry: dict[str, str]) -> None:
    entries = yaml.safe_load(secrets.read_text(encoding="utf-8"))
    secrets.write_text(yaml.safe_dump(entries | {name: entry}), encoding="utf-8")


@pytest.fixture(scope="module")
def hub(
    demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory, secrets: Path
) -> Iterator[Any]:
    """The demo behind `ioc serve`, scheduler on, a cron of every minute allowed."""
    env = ENV | {
        "IOC_SOURCES_SECRETS_FILE": str(secrets),
        "IOC_REPORTS_MIN_INTERVAL_SECONDS": "60",
    }
    yield from serve(demo_settings, tmp_path_factory.mktemp("hub"), env)


@pytest.fixture(scope="module")
def admin(hub: Any) -> Iterator[httpx.Client]:
    with closing(signed_in(hub.base, "demo-admin")) as client:
        yield client


@pytest.fixture(scope="module")
def operator(hub: Any) -> Iterator[httpx.Client]:
    with closing(signed_in(hub.base, "demo-operator")) as client:
        yield client


@pytest.fixture(scope="module")
def vendor() -> Iterator[Any]:
    """The vendor's returns of 2024-2025/DN in old districts 941-943 (codes the demo has
    not) and no registry; API key authentication."""
    with vendor_at(sample_rows(30, school_year=YEAR)) as server:
        yield server


def fresh_env(data: Path, secrets: Path) -> dict[str, str]:
    return {
        **os.environ,
        **ENV,
        "IOC_DATA_DIR": str(data),
        "IOC_SOURCES_SECRETS_FILE": str(secrets),
        "IOC_REPORTS_SCHEDULER": "false",
    }


def ioc(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*IOC, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )


def declare(env: dict[str, str], where: Path, spec: dict[str, Any]) -> None:
    path = where / f"{spec['name']}.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    added = ioc(env, "sources", "add", str(path))
    assert added.returncode == 0, added.stdout + added.stderr


def pull_cli(env: dict[str, str], name: str, *flags: str) -> tuple[int, dict[str, Any], str]:
    """``ioc sources pull NAME --json``: exit status, the report, stderr."""
    done = ioc(env, "sources", "pull", name, "--json", "--lang", "en", *flags)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise AssertionError(done.stdout + done.stderr) from None
    return done.returncode, report, done.stderr


def pull_api(
    client: httpx.Client, name: str, **params: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``POST /sources/{name}/pull`` followed to its end: the job and the PullReport."""
    r = client.post(f"{SOURCES}/{name}/pull", params=params)
    assert r.status_code == 202, r.text
    job = wait_for_job(client, r.url.join(r.headers["Location"]), timeout=180)
    if job["status"] == "succeeded":
        return job, job["result"]
    assert job["problem"] is not None, job
    return job, job["problem"]["pull"]


def spec_of(name: str, url: str, units: list[str], **more: Any) -> dict[str, Any]:
    return {
        "name": name,
        "base_url": url,
        "secret": "vendor",
        "units": [{"scheme": "legacy", "code": u} for u in units],
        "reconcile_cron": None,
        **more,
    }


def build_id(hub: Any) -> str:
    return str(httpx.get(f"{hub.base}/api/v1/health", timeout=30).json()["build_id"])


def builds(db: Path) -> list[str]:
    """The snapshot's builds (a new one: readers' build id, caches and ETags change)."""
    with duckdb.connect(str(db), read_only=True) as conn:
        return [
            r[0] for r in conn.execute("select build_id from meta__builds order by all").fetchall()
        ]


def registry_of(db: Path) -> dict[str, dict[str, Any]]:
    with duckdb.connect(str(db), read_only=True) as conn:
        rows = conn.execute(
            f"select {', '.join(REGISTRY_FIELDS)} from raw_registry__schools"
        ).fetchall()
    return {
        r[0]: dict(zip(REGISTRY_FIELDS, (stored_text(v) for v in r), strict=True)) for r in rows
    }


# -- 1. ioc-edu: a second IOC-EDU instance -------------------------------------------------
DISTRICT = "945"


def demo_schools(hub: Any, district: str) -> list[dict[str, Any]]:
    """The schools of an old district as the demo's returns last placed them."""
    with duckdb.connect(str(hub.data_dir / "ioc.duckdb"), read_only=True) as conn:
        rows = conn.execute(
            "select distinct on (school_code) school_code, school_name, level, ownership, "
            "province_code, district_code, commune_code from core_school__period_returns "
            "where district_code = ? and province_code = '94' "
            "order by school_code, school_year desc, term",
            [district],
        ).fetchall()
    names = ["school_code", "school_name", "level", "ownership"]
    names += ["province_code", "district_code", "commune_code"]
    return [dict(zip(names, r, strict=True)) for r in rows]


def sync_token(hub: Any, username: str, role: str, unit: str) -> str:
    settings = Settings(data_dir=hub.data_dir)
    run_ioc(settings, "users", "add", username, "--role", role, "--unit", unit)
    created = run_ioc(settings, "users", "token", "create", username, "--name", "tinh")
    (line,) = [ln for ln in created.stdout.splitlines() if "(shown once" in ln]
    return line.rsplit(" ", 1)[1]


@pytest.fixture(scope="module")
def registry_945(hub: Any, admin: httpx.Client, vendor: Any) -> dict[str, dict[str, Any]]:
    """The hub's registry of district 945, pulled from the vendor (http-json, schools only):
    six of the demo's schools, one of them closed, and two that never reported."""
    schools = [s | {"status": "open", "email": None} for s in demo_schools(hub, DISTRICT)[:6]]
    schools[0] |= {"status": "closed", "closed_year": YEAR}
    place = {k: schools[1][k] for k in ("province_code", "district_code", "commune_code")}
    for n in (1, 2):
        schools.append(
            {"school_code": f"9459990{n}", "school_name": f"Trường mới {n}", "level": "TH"}
            | {"ownership": "cong_lap", "status": "open", "opened_year": "2019-2020"}
            | place
            | {"email": f"truong{n}@soctrang.edu.vn"}
        )
    vendor.update_schools(schools)
    body = spec_of("danh-muc-945", vendor.url, [DISTRICT], kind="http-json")
    body |= {"resources": ["schools"], "mapping": vendor_mapping(auth="api_key", size=4)}
    assert admin.post(SOURCES, json=body).status_code == 201
    job, report = pull_api(admin, "danh-muc-945")
    assert job["status"] == "succeeded", report
    assert report["resources"]["schools"]["inserted"] == len(schools), report
    return {s["school_code"]: s for s in schools}


def test_ioc_edu_pulls_another_instance(
    hub: Any, registry_945: dict[str, dict[str, Any]], secrets: Path, tmp_path: Path
) -> None:
    add_secret(secrets, "tinh-94", {"token": sync_token(hub, "sync-945", "sync", "legacy:945")})
    fresh = Settings(data_dir=tmp_path / "data")
    env = fresh_env(fresh.data_dir, secrets)
    spec = spec_of("tinh-94", hub.base, [DISTRICT], kind="ioc-edu", secret="tinh-94")
    declare(env, tmp_path, spec | {"resources": ["returns", "schools"]})

    status, report, stderr = pull_cli(env, "tinh-94")
    assert status == 0 and report["status"] == "succeeded", (report, stderr)
    # what the demo publishes of district 945, read from its snapshot directly
    # (the schools of old district 945, in every period: the 2025-2026 returns coded in the
    # 2025 scheme are within its territory too)
    schools = "select school_code from core_school__period_returns where district_code = "
    expected = published_returns(
        hub.data_dir / "ioc.duckdb", f"school_code in ({schools}'{DISTRICT}')"
    )
    assert len(expected) > 100
    pulled = published_returns(fresh.published_db)
    assert pulled.keys() == expected.keys()
    for key, row in expected.items():
        assert pulled[key] == row, key
    returns = report["resources"]["returns"]
    assert (returns["inserted"], returns["rejected"]) == (len(expected), 0), returns
    # the registry: every school of 945 (reported or listed), as the sync API documents it:
    # its place as last reported, status, years and e-mail as listed (open when not)
    registry = registry_of(fresh.published_db)
    listed = registry_of(hub.data_dir / "ioc.duckdb")
    newest = {code: row for (code, year, _), row in expected.items() if year == "2025-2026"}
    assert registry.keys() == {code for code, _, _ in expected} | set(registry_945)
    for code, school in registry.items():
        kept = listed.get(code, {"status": "open"})
        for name in ("status", "opened_year", "closed_year", "email"):
            assert school[name] == kept.get(name), (code, name)
        place = newest.get(code) or listed.get(code)
        if place is None:  # a school that stopped reporting before: placed as it last did
            continue
        for name in ("school_name", "level", "ownership", "province_code", "commune_code"):
            assert school[name] == place[name], (code, name)
    assert report["resources"]["schools"]["inserted"] == len(registry)

    # again: every row unchanged, no run, the same snapshot
    before = builds(fresh.published_db)
    status, again, stderr = pull_cli(env, "tinh-94")
    assert status == 0, (again, stderr)
    # (a delta asks from the watermark: the edge is asked again, and found unchanged)
    assert again["unchanged"] == again["fetched"] > 0, again
    assert (again["inserted"], again["replaced"], again["run_ids"]) == (0, 0, [])
    for part in again["resources"].values():
        assert part["watermark_after"] == part["watermark_before"] is not None
    assert builds(fresh.published_db) == before


@pytest.mark.parametrize(
    ("who", "role", "status"),
    [("display", "display", 403), ("revoked", None, 401)],
)
def test_ioc_edu_with_a_wrong_token_names_the_source(
    hub: Any, secrets: Path, tmp_path: Path, who: str, role: str | None, status: int
) -> None:
    token = sync_token(hub, f"tinh-{who}", role, "legacy:945") if role else "ioc_not-a-token"
    add_secret(secrets, f"tinh-{who}", {"token": token})
    env = fresh_env(tmp_path / "data", secrets)
    spec = spec_of(f"tinh-{who}", hub.base, [DISTRICT], kind="ioc-edu", secret=f"tinh-{who}")
    declare(env, tmp_path, spec)
    code, report, stderr = pull_cli(env, f"tinh-{who}")
    assert code == 1 and report["status"] == "failed"
    error = report["error"]
    assert error["code"] == "wrong_credentials", error
    assert f"source tinh-{who}" in error["en"] and f"HTTP {status}" in error["en"]
    assert f"'tinh-{who}'" in error["en"]  # the entry of the secrets file to check
    assert token not in json.dumps(report) + stderr
    assert not (tmp_path / "data" / "ioc.duckdb").exists()


# -- 2. http-file: a return file served with an ETag ---------------------------------------
def xlsx(rows: list[dict[str, Any]]) -> bytes:
    names = [f.name for f in load_contract().fields]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Bao cao")
    sheet.write_row(0, 0, names)
    for i, row in enumerate(rows, start=1):
        sheet.write_row(i, 0, ["" if row.get(n) is None else str(row[n]) for n in names])
    book.close()
    return buffer.getvalue()


@pytest.mark.parametrize("form", ["csv", pytest.param("xlsx", marks=pytest.mark.slow)])
def test_http_file_is_loaded_then_unchanged_then_replaced(
    secrets: Path, tmp_path: Path, form: str
) -> None:
    rows = sample_rows(12, school_year=YEAR)  # 4 schools in each of old districts 941-943
    fresh = Settings(data_dir=tmp_path / "data")
    env = fresh_env(fresh.data_dir, secrets)
    with vendor_at(rows) as files:
        if form == "xlsx":
            files.file, files.file_name = xlsx(rows), "bao-cao-truong.xlsx"
        mapping = {"auth": {"type": "api_key"}, "path": "/files/bao-cao.csv", "period": PERIOD}
        spec = spec_of("tep-941", files.url, ["941"], kind="http-file", mapping=mapping)
        declare(env, tmp_path, spec)

        status, first, stderr = pull_cli(env, "tep-941")
        assert status == 0, (first, stderr)
        part = first["resources"]["returns"]
        # the file runner, scoped to the source's units: the rows of 942 and 943 are refused
        assert (part["fetched"], part["inserted"], part["rejected"]) == (12, 4, 8), part
        assert part["watermark_after"].startswith('"')  # the ETag
        assert set(published_returns(fresh.published_db)) == {
            (r["school_code"], YEAR, "DN") for r in rows if r["district_code"] == "941"
        }
        published = builds(fresh.published_db)

        status, second, _ = pull_cli(env, "tep-941")
        assert status == 0 and files.statuses()[-1] == 304
        part = second["resources"]["returns"]
        etag = first["resources"]["returns"]["watermark_after"]
        assert part["watermark_after"] == part["watermark_before"] == etag
        assert (second["inserted"], second["replaced"], second["run_ids"]) == (0, 0, [])
        assert builds(fresh.published_db) == published

        changed = [dict(r, students=str(int(r["students"]) + 5)) for r in rows]
        files.update(changed)
        if form == "xlsx":
            files.file = xlsx(changed)
        status, third, _ = pull_cli(env, "tep-941")
        assert status == 0 and files.statuses()[-1] == 200
        part = third["resources"]["returns"]
        assert (part["inserted"], part["replaced"], part["rejected"]) == (0, 4, 8), part
        assert part["watermark_after"] != part["watermark_before"]
        pulled = published_returns(fresh.published_db)
        for row in changed:
            if row["district_code"] == "941":
                assert pulled[(row["school_code"], YEAR, "DN")]["students"] == row["students"]


# -- 3. a registry pulled through http-json: coverage counts the schools that never sent ---
def test_registry_pulled_counts_missing_schools(
    demo_settings: Settings, secrets: Path, tmp_path: Path
) -> None:
    rows = sample_rows(6, school_year=YEAR)  # 2 schools in each of old districts 941-943
    listed = [{k: r[k] for k in REGISTRY_FIELDS if k in r} | {"status": "open"} for r in rows]
    place = {k: rows[0][k] for k in ("province_code", "district_code", "commune_code")}
    never = [f"9419990{n}" for n in range(1, 4)]  # in 941, never sent a return
    listed += [
        {"school_code": c, "school_name": f"Trường {c}", "level": "TH", "ownership": "cong_lap"}
        | place
        | {"status": "open"}
        for c in never
    ]
    listed.append(listed[-1] | {"school_code": "94199909", "status": "closed"})  # not expected
    fresh = Settings(data_dir=tmp_path / "data")
    env = fresh_env(fresh.data_dir, secrets)
    with vendor_at(rows, schools=listed) as server:
        spec = spec_of("vendor-reg", server.url, ["94"], kind="http-json")
        spec |= {"resources": ["schools", "returns"], "mapping": vendor_mapping(auth="api_key")}
        declare(env, tmp_path, spec)
        status, report, stderr = pull_cli(env, "vendor-reg")
    assert status == 0, (report, stderr)
    assert report["resources"]["schools"]["inserted"] == 10
    assert report["resources"]["returns"]["inserted"] == 6
    assert run_ioc(fresh, "users", "add", "chief", "--role", "admin").returncode == 0
    created = run_ioc(fresh, "users", "token", "create", "chief", "--name", "test")
    (line,) = [ln for ln in created.stdout.splitlines() if "(shown once" in ln]
    token = line.rsplit(" ", 1)[1]
    for server in serve(fresh, tmp_path / "served"):
        c = httpx.Client(base_url=f"{server.base}/api/v1", timeout=60)
        c.headers["Authorization"] = f"Bearer {token}"
        params = {"unit": "94", "scheme": "legacy", "period": PERIOD}
        quality = c.get("/quality", params=params)
        assert quality.status_code == 200, quality.text
        total = quality.json()["total"]
        # by hand: 6 schools reported, 3 open ones never did, the closed one is not expected
        assert (total["schools_expected"], total["schools_reported"]) == (9, 6), total
        assert total["schools_missing"] == 3
        by_unit = {u["unit_code"]: u for u in quality.json()["by_unit"]}
        assert by_unit["941"]["schools_expected"] == 5, by_unit["941"]
        assert by_unit["942"]["schools_missing"] == 0
        chase = c.get("/quality/chase", params=params | {"unit": "941"}).json()
        items = chase["items"] if isinstance(chase, dict) else chase
        missing = sorted(i["school_code"] for i in items if i["status"] == "missing")
        assert missing == never


# -- 4. the server path --------------------------------------------------------------------
def profile(client: httpx.Client, code: str) -> httpx.Response:
    return client.get(f"/api/v1/schools/{code}")


def students_of(client: httpx.Client, code: str) -> list[int]:
    """The pupils each of the school's returns counts (compared as figures, never as text:
    a time in the answer may hold any digits)."""
    r = profile(client, code)
    assert r.status_code == 200, r.text
    return [row["students"] for row in r.json()["returns"]]


def test_a_pull_through_the_server(
    hub: Any, admin: httpx.Client, operator: httpx.Client, vendor: Any
) -> None:
    rows = sample_rows(30, school_year=YEAR)
    body = spec_of("vendor-a", vendor.url, ["94"], kind="http-json")
    body["mapping"] = vendor_mapping(auth="api_key", size=7)  # 5 pages
    assert admin.post(SOURCES, json=body).status_code == 201
    build = build_id(hub)
    assert profile(operator, rows[0]["school_code"]).status_code == 404

    job, report = pull_api(operator, "vendor-a")
    assert job["status"] == "succeeded", report
    assert (report["inserted"], report["pages"], report["rejected"]) == (30, 5, 0), report
    (row, *_) = operator.get(f"{SOURCES}/vendor-a/pulls").json()["items"]
    assert (row["status"], row["trigger"], row["started_by"]) == (
        "succeeded",
        "api",
        "demo-operator",
    )
    assert (row["inserted"], row["fetched"], row["pages"]) == (30, 30, 5)
    mark = report["resources"]["returns"]["watermark_after"]
    assert row["watermarks"] == {"returns": [None, mark]} and mark is not None
    assert row["run_ids"] == report["run_ids"] and len(row["run_ids"]) == 1
    (state,) = [s for s in operator.get(f"{SOURCES}/status").json() if s["name"] == "vendor-a"]
    assert state["state"] == "ok" and state["consecutive_failures"] == 0
    after = build_id(hub)
    assert after != build
    assert students_of(operator, rows[0]["school_code"]) == [int(rows[0]["students"])]

    # the source changes two rows and deletes one: a dry run says so, publishes nothing
    changed = [dict(r, students=str(int(r["students"]) + 11)) for r in rows[:2]]
    vendor.update(changed)
    gone = rows[5]
    vendor.delete([(gone["school_code"], YEAR, "DN")])
    job, dry = pull_api(operator, "vendor-a", dry_run="true")
    assert job["status"] == "succeeded" and dry["dry_run"] is True, dry
    assert (dry["replaced"], dry["tombstones"]) == (2, 1), dry
    assert build_id(hub) == after
    assert students_of(operator, rows[0]["school_code"]) == [int(rows[0]["students"])]

    # a full pull: drift says what the source no longer holds, or holds differently
    job, full = pull_api(operator, "vendor-a", full="true")
    assert job["status"] == "succeeded", full
    drift = full["resources"]["returns"]["drift"]
    assert drift is not None, full
    key = f"/{YEAR}/DN"
    assert drift["missing_at_source"] == {"count": 1, "examples": [gone["school_code"] + key]}
    assert drift["different"] == {"count": 2, "examples": [r["school_code"] + key for r in changed]}
    assert drift["new_at_source"]["count"] == 0, drift
    assert full["replaced"] == 2 and full["unchanged"] == 27, full
    (row, *_) = operator.get(f"{SOURCES}/vendor-a/pulls").json()["items"]
    assert row["mode"] == "full" and row["drift"] == {"returns": drift}
    assert build_id(hub) not in (build, after)
    assert students_of(operator, rows[0]["school_code"]) == [int(changed[0]["students"])]


# -- 6. bad configuration ------------------------------------------------------------------
def test_an_unknown_field_is_refused_at_declaration(admin: httpx.Client, vendor: Any) -> None:
    mapping = vendor_mapping(auth="api_key")
    mapping["resources"]["schools"]["fields"]["hieu_truong"] = "lien_he.hieu_truong"
    body = spec_of("vendor-bad", vendor.url, ["94"], kind="http-json", mapping=mapping)
    r = admin.post(SOURCES, json=body | {"resources": ["returns", "schools"]})
    assert r.status_code == 422, r.text
    assert "mapping.resources.schools.fields: unknown field 'hieu_truong'" in r.text
    assert admin.get(f"{SOURCES}/vendor-bad").status_code == 404


BAD = {
    "unreachable": ({"base_url": "http://127.0.0.1:9"}, None, "unreachable", None),
    "wrong-key": ({"secret": "wrong-key"}, None, "wrong_credentials", None),
    "no-records": ({}, ("records", "ket_qua.danh_sach"), "no_records", None),
    "no-field": ({}, ("fields", "so_hoc_sinh"), "field_missing", "students"),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_source_fails_clearly_and_changes_nothing(
    hub: Any, admin: httpx.Client, vendor: Any, secrets: Path, case: str
) -> None:
    changes, mapped, code, field = BAD[case]
    add_secret(secrets, "wrong-key", {"api_key": "ak-not-the-key"})
    mapping = vendor_mapping(auth="api_key", size=7)
    returns = mapping["resources"]["returns"]
    if mapped == ("records", "ket_qua.danh_sach"):
        returns["records"] = mapped[1]
    elif mapped is not None:
        returns["fields"]["students"] = "chi_so.so_hoc_sinh_tong"
    name = f"bad-{case}"
    body = spec_of(name, vendor.url, ["94"], kind="http-json", mapping=mapping) | changes
    assert admin.post(SOURCES, json=body).status_code == 201
    build = build_id(hub)
    job, report = pull_api(admin, name)
    assert job["status"] == "failed" and report["status"] == "failed"
    error = report["error"]
    assert error["code"] == code, error
    assert error["en"].startswith(f"source {name}"), error
    assert job["problem"]["code"] == code
    if code not in ("unreachable",):
        assert error["resource"] == "returns" and error["page"] == 1, error
        assert "page 1" in error["en"]
    if field is not None:
        assert error["field"] == field and "so_hoc_sinh_tong" in error["en"], error
    (state,) = [s for s in admin.get(f"{SOURCES}/status").json() if s["name"] == name]
    assert state["consecutive_failures"] == 1 and state["last_success_at"] is None, state
    assert build_id(hub) == build
    assert "ak-not-the-key" not in json.dumps(report)


# -- 5. schedules --------------------------------------------------------------------------
def test_a_cron_of_every_minute_is_planned(admin: httpx.Client, vendor: Any) -> None:
    """The plan, as the API says it (``next_pulls``): the next minute, then none once the
    source is disabled."""
    body = spec_of("vendor-cron", vendor.url, ["94"], kind="http-json", cron="* * * * *")
    body["mapping"] = vendor_mapping(auth="api_key", size=50)
    r = admin.post(SOURCES, json=body)
    assert r.status_code == 201, r.text
    planned = r.json()["next_pulls"]
    assert planned["reconcile_cron"] is None and planned["cron"] is not None
    at = datetime.fromisoformat(planned["cron"])
    now = datetime.now(at.tzinfo)
    assert at.second == 0 and 0 < (at - now).total_seconds() <= 60
    r = admin.put(f"{SOURCES}/vendor-cron", json=body | {"enabled": False})
    assert r.status_code == 200 and r.json()["next_pulls"]["cron"] is None
    assert admin.delete(f"{SOURCES}/vendor-cron").status_code == 204


def test_a_scheduled_pull_runs_once_per_due_time(admin: httpx.Client, vendor: Any) -> None:
    """Waited for: the scheduler submits one pull job at each due minute."""
    body = spec_of("vendor-minute", vendor.url, ["94"], kind="http-json", cron="* * * * *")
    body["mapping"] = vendor_mapping(auth="api_key", size=50)
    assert admin.post(SOURCES, json=body).status_code == 201
    try:
        deadline = time.monotonic() + 150
        items: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            items = admin.get(f"{SOURCES}/vendor-minute/pulls").json()["items"]
            ended = [i for i in items if i["status"] != "running"]
            if len(ended) >= 2:
                break
            time.sleep(1)
        assert len(items) >= 2, items
        assert {i["trigger"] for i in items} == {"schedule"}
        assert {i["started_by"] for i in items} == {"scheduler"}
        assert all(i["status"] == "succeeded" for i in items[:2]), items
        started = sorted(i["started_at"] for i in items)
        minutes = [s[:16] for s in started]
        assert len(minutes) == len(set(minutes)), minutes  # never twice in one due time
    finally:
        admin.delete(f"{SOURCES}/vendor-minute")
