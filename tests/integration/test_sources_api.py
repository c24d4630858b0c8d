"""The sources API over real HTTP (`ioc serve` on loopback, demo data): admins declare
sources; every other role, signed in and hostile, is refused (403/404) and changes nothing;
a bad declaration is a 422 naming its field; a pull is a 202 job with a ledger row, a second
one while the first is queued or running a 409; and a missing credential fails the pull with
a clear problem while no credential appears in any answer, the server's log or the audit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import httpx
import pytest

from ioc import store
from ioc.config import Settings
from ioc.store.models import Job, JobStatus
from ioc.store.types import utcnow
from tests.conftest import serve, wait_for_job
from tests.security.conftest import signed_in

SECRET_VALUE = "s3cr3t-Value-9f2c"  # must appear nowhere but in the secrets file
SOURCES = "/api/v1/sources"


def declaration(name: str, unit: str = "94", **changes: Any) -> dict[str, Any]:
    return {
        "name": name,
        "kind": "http-json",
        "base_url": "http://127.0.0.1:9/api?token=in-the-url",  # nothing listens on port 9
        "secret": f"{name}-entry",
        "units": [{"scheme": "legacy", "code": unit}],
        "cron": None,
        "reconcile_cron": None,
        "mapping": {
            "auth": {"type": "bearer"},
            "resources": {"returns": {"path": "returns", "fields": {"school_code": "code"}}},
        },
        **changes,
    }


@pytest.fixture(scope="module")
def server(demo_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    where = tmp_path_factory.mktemp("sources")
    secrets = where / "secrets.yaml"
    secrets.write_text(f"vendor-ok-entry:\n  token: {SECRET_VALUE}\n", encoding="utf-8")
    env = {"IOC_SOURCES_SECRETS_FILE": str(secrets)}
    yield from serve(demo_settings, where, env)


@pytest.fixture(scope="module")
def admin(server: Any) -> Iterator[httpx.Client]:
    with closing(signed_in(server.base, "demo-admin")) as client:
        yield client


def _client(server: Any, who: str) -> httpx.Client:
    if who == "demo-display":
        headers = {"Authorization": "Bearer ioc_demo-display-soc-trang-94"}
        return httpx.Client(base_url=server.base, timeout=60, headers=headers)
    return signed_in(server.base, who)


def _add(admin: httpx.Client, body: dict[str, Any]) -> httpx.Response:
    r = admin.post(SOURCES, json=body)
    assert r.status_code in (201, 409), r.text
    return r


def test_admin_declares_reads_changes_and_deletes_a_source(admin: httpx.Client) -> None:
    r = admin.post(SOURCES, json=declaration("vendor-crud"))
    assert r.status_code == 201, r.text
    assert r.headers["Location"] == f"{SOURCES}/vendor-crud"
    body = r.json()
    assert body["secret"] == "vendor-crud-entry" and body["status"]["state"] == "never"
    assert admin.post(SOURCES, json=declaration("vendor-crud")).status_code == 409
    changed = declaration("vendor-crud", cron="0 6 * * *")
    r = admin.put(f"{SOURCES}/vendor-crud", json=changed)
    assert r.status_code == 200 and r.json()["cron"] == "0 6 * * *"
    assert r.json()["next_pulls"]["cron"] is not None  # planned by the schedule
    assert admin.put(f"{SOURCES}/nope", json=declaration("nope")).status_code == 404
    assert [s["name"] for s in admin.get(SOURCES).json()].count("vendor-crud") == 1
    assert admin.delete(f"{SOURCES}/vendor-crud").status_code == 204
    assert admin.get(f"{SOURCES}/vendor-crud").status_code == 404
    audit = admin.get("/api/v1/audit", params={"username": "demo-admin"}).json()["items"]
    actions = [a["action"] for a in audit if "vendor-crud" in json.dumps(a["detail"])]
    assert actions[:3] == ["source_deleted", "source_changed", "source_created"]
    assert "in-the-url" not in json.dumps(audit)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "Bad Name!"}, "name"),
        ({"units": [{"scheme": "legacy", "code": "9x"}]}, "units.0"),
        ({"kind": "ftp"}, "kind"),
        ({"cron": "* * * * *"}, "cron"),  # every minute: more often than allowed
        ({"reconcile_cron": "61 * * * *"}, "reconcile_cron"),
        ({"extra": 1}, "extra"),
    ],
)
def test_a_bad_declaration_is_a_422_naming_its_field(
    admin: httpx.Client, changes: dict[str, Any], field: str
) -> None:
    r = admin.post(SOURCES, json={**declaration("vendor-bad"), **changes})
    assert r.status_code == 422, r.text
    assert any(e["parameter"].startswith(field) for e in r.json()["errors"]), r.json()
    assert admin.get(f"{SOURCES}/vendor-bad").status_code == 404


def test_an_unknown_mapped_field_is_named(admin: httpx.Client) -> None:
    mapping = {"resources": {"returns": {"path": "r", "fields": {"school_code": "c", "nope": "x"}}}}
    r = admin.post(SOURCES, json=declaration("vendor-bad", mapping=mapping))
    assert r.status_code == 422
    assert "mapping.resources.returns.fields: unknown field 'nope'" in r.text


def test_a_body_too_large_is_refused(admin: httpx.Client) -> None:
    big = declaration("vendor-big", extra_padding="x" * (300 << 10))
    assert admin.post(SOURCES, json=big).status_code == 413


def test_other_roles_are_refused_and_change_nothing(server: Any, admin: httpx.Client) -> None:
    _add(admin, declaration("vendor-94", "94"))  # within demo-operator's and analyst's units
    _add(admin, declaration("vendor-93", "93"))  # outside them
    before = admin.get(SOURCES).json()
    ledger = admin.get(f"{SOURCES}/vendor-93/pulls").json()["total"]
    for who in ("demo-operator", "demo-analyst", "demo-leader", "demo-display"):
        with closing(_client(server, who)) as c:
            assert c.post(SOURCES, json=declaration("vendor-x")).status_code == 403, who
            assert c.put(f"{SOURCES}/vendor-94", json=declaration("vendor-94")).status_code == 403
            assert c.delete(f"{SOURCES}/vendor-93").status_code == 403
            assert c.get(f"{SOURCES}/status").status_code == 200
    with closing(_client(server, "demo-operator")) as operator:
        names = [s["name"] for s in operator.get(SOURCES).json()]
        assert "vendor-94" in names and "vendor-93" not in names
        assert operator.get(f"{SOURCES}/vendor-93").status_code == 404
        assert operator.post(f"{SOURCES}/vendor-93/pull").status_code == 404
        assert operator.post(f"{SOURCES}/vendor-93/test").status_code == 404
        assert operator.get(f"{SOURCES}/vendor-93/pulls").status_code == 404
        status = [s["name"] for s in operator.get(f"{SOURCES}/status").json()]
        assert "vendor-93" not in status
    with closing(_client(server, "demo-analyst")) as analyst:
        assert analyst.get(f"{SOURCES}/vendor-94").status_code == 200
        assert analyst.post(f"{SOURCES}/vendor-94/pull").status_code == 403
        assert analyst.post(f"{SOURCES}/vendor-94/test").status_code == 403
    with closing(_client(server, "demo-display")) as display:
        assert display.get(f"{SOURCES}/vendor-94").status_code == 403  # no configuration
        assert display.get(SOURCES).status_code == 403
        rows = display.get(f"{SOURCES}/status").json()
        assert {"name", "state", "last_success_at"} <= set(rows[0])
        assert "base_url" not in rows[0] and "secret" not in rows[0]
    with closing(_client(server, "demo-leader")) as leader:
        assert {"vendor-93", "vendor-94"} <= {s["name"] for s in leader.get(SOURCES).json()}
    assert admin.get(SOURCES).json() == before
    assert admin.get(f"{SOURCES}/vendor-93/pulls").json()["total"] == ledger


def _pull(client: httpx.Client, name: str) -> dict[str, Any]:
    r = client.post(f"{SOURCES}/{name}/pull", params={"dry_run": "false"})
    assert r.status_code == 202, r.text
    assert r.headers["Location"] == f"/api/v1/jobs/{r.json()['job_id']}"
    return wait_for_job(client, r.url.join(r.headers["Location"]), timeout=120)


def test_a_missing_secret_entry_fails_the_pull_clearly_and_leaks_nothing(
    server: Any, admin: httpx.Client
) -> None:
    _add(admin, declaration("vendor-nosecret"))
    with closing(_client(server, "demo-operator")) as operator:  # within its units
        job = _pull(operator, "vendor-nosecret")
    assert job["status"] == "failed"
    problem = job["problem"]
    assert problem["code"] == "source_secret_unavailable"
    assert "vendor-nosecret" in problem["message"]["en"]
    assert "'vendor-nosecret-entry'" in problem["message"]["vi"]
    report = problem["pull"]
    assert report["status"] == "failed" and report["error"]["code"] == problem["code"]
    ledger = admin.get(f"{SOURCES}/vendor-nosecret/pulls").json()
    assert ledger["total"] == 1
    row = ledger["items"][0]
    assert (row["status"], row["trigger"], row["started_by"]) == ("failed", "api", "demo-operator")
    assert row["error"]["code"] == "source_secret_unavailable"
    status = {s["name"]: s for s in admin.get(f"{SOURCES}/status").json()}["vendor-nosecret"]
    assert status["consecutive_failures"] == 1 and status["error"]["code"] == problem["code"]
    csv = admin.get(f"{SOURCES}/vendor-nosecret/pulls.csv")
    assert csv.status_code == 200 and "source_secret_unavailable" in csv.text


def test_a_pull_that_reaches_its_job_leaks_no_credential(server: Any, admin: httpx.Client) -> None:
    _add(admin, declaration("vendor-ok"))  # its secret entry exists; its host does not answer
    job = _pull(admin, "vendor-ok")
    assert job["status"] in ("failed", "succeeded")
    answers = [json.dumps(job), admin.get(f"{SOURCES}/vendor-ok/pulls").text]
    answers += [admin.get("/api/v1/audit", params={"limit": 1000}).text, admin.get(SOURCES).text]
    answers.append(server.log.read_text(encoding="utf-8"))
    for text in answers:
        assert SECRET_VALUE not in text
    audit = admin.get("/api/v1/audit", params={"action": "source_pull"}).json()["items"]
    assert any("vendor-ok: delta" in str(a["detail"]) for a in audit)
    assert not any("127.0.0.1:9" in str(a["detail"]) for a in audit)


def test_a_second_pull_while_one_is_queued_or_running_is_a_409(
    server: Any, admin: httpx.Client
) -> None:
    _add(admin, declaration("vendor-busy"))
    engine = store.make_engine(Settings(data_dir=server.data_dir))
    try:
        with store.open_session(engine) as session:  # a pull another server is running
            running = Job(
                kind="pull",
                started_by="scheduler",
                status=JobStatus.RUNNING,
                request={"source": "vendor-busy", "full": False, "dry_run": False},
                started_at=utcnow(),
            )
            session.add(running)
            session.commit()
            r = admin.post(f"{SOURCES}/vendor-busy/pull")
            assert r.status_code == 409, r.text
            assert r.json()["code"] == "pull_in_progress"
            assert r.json()["job"] == f"/api/v1/jobs/{running.id}"
            running.status = JobStatus.FAILED
            session.commit()
    finally:
        engine.dispose()
    assert admin.get(f"{SOURCES}/vendor-busy/pulls").json()["total"] == 0
    job = _pull(admin, "vendor-busy")  # once it has ended, a pull may start
    assert job["status"] == "failed" and job["problem"]["code"] == "source_secret_unavailable"
