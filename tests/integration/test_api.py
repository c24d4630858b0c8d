"""The API over real HTTP on loopback, with the demo accounts: contract, errors, scoping."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import upload_and_wait

PASSWORD = "demo-2025!"
DISPLAY_TOKEN = "ioc_demo-display-soc-trang-94"


def client(server: Any, username: str | None = None) -> httpx.Client:
    c = httpx.Client(base_url=f"{server.base}/api/v1", timeout=30)
    if username == "display":
        c.headers["Authorization"] = f"Bearer {DISPLAY_TOKEN}"
    elif username:
        r = c.post("/auth/login", json={"username": username, "password": PASSWORD})
        assert r.status_code == 200, r.text
    return c


@pytest.fixture(scope="module")
def leader(api_server: Any) -> httpx.Client:
    return client(api_server, "demo-leader")


def test_anonymous_sees_only_health_login_and_docs(api_server: Any) -> None:
    anon = client(api_server)
    assert anon.get("/health").json()["status"] == "ok"
    assert httpx.get(f"{api_server.base}/api/openapi.json").status_code == 200
    assert httpx.get(f"{api_server.base}/api/docs").status_code == 200
    for path in (
        "/catalog/indicators",
        "/periods",
        "/units",
        "/audit",
        "/indicators/values?unit=94&period=2021-2022/DN",
    ):
        r = anon.get(path)
        assert r.status_code == 401, path
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"] == "unauthenticated"


def test_wrong_password_is_a_problem(api_server: Any) -> None:
    r = client(api_server).post("/auth/login", json={"username": "demo-leader", "password": "x"})
    assert r.status_code == 401
    body = r.json()
    assert body["code"] == "bad_credentials" and body["message"]["vi"] and body["message"]["en"]


def test_indicator_values_match_the_cli_figures(leader: httpx.Client) -> None:
    rows = leader.get("/indicators/values", params={"unit": "94", "period": "2021-2022/DN"}).json()
    by_id = {r["indicator_id"]: r for r in rows}
    assert by_id["NET_STUDENTS"]["value"] == 256347
    assert by_id["NET_SCHOOLS"]["value"] == 481
    summary = leader.get("/summary", params={"unit": "94", "period": "2021-2022/DN"}).json()
    assert summary["totals"]["classes"]["total"] == 8259


def test_errors_are_specific(leader: httpx.Client) -> None:
    r = leader.get("/indicators/values", params={"unit": "99", "period": "2021-2022/DN"})
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = leader.get("/indicators/values", params={"unit": "94", "period": "2021/DN"})
    assert r.status_code == 422 and r.json()["errors"][0]["parameter"] == "period"
    r = leader.get("/indicators/NOPE/series", params={"unit": "94", "scheme": "legacy"})
    assert r.status_code == 404
    assert leader.get("/schools/NOSUCH").status_code == 404


def test_series_carries_the_break(leader: httpx.Client) -> None:
    rows = leader.get(
        "/indicators/NET_STUDENTS/series", params={"unit": "92", "scheme": "2025", "term": "DN"}
    ).json()
    years = [r["school_year"] for r in rows]
    assert years[0] == "2020-2021" and years[-1] == "2025-2026"
    assert [r["is_break"] for r in rows] == [y == "2025-2026" for y in years]


def test_etag_and_if_none_match(leader: httpx.Client) -> None:
    first = leader.get("/periods")
    etag = first.headers["etag"]
    again = leader.get("/periods", headers={"If-None-Match": etag})
    assert again.status_code == 304


ROLE_MATRIX = [
    # (account, path, params, expected status)
    (
        "demo-analyst-945",
        "/indicators/values",
        {"unit": "945", "period": "2023-2024/DN", "scheme": "legacy"},
        200,
    ),
    (
        "demo-analyst-945",
        "/indicators/values",
        {"unit": "943", "period": "2023-2024/DN", "scheme": "legacy"},
        403,
    ),
    ("demo-analyst-945", "/indicators/values", {"unit": "94", "period": "2023-2024/DN"}, 403),
    (
        "demo-analyst-945",
        "/schools",
        {"unit": "943", "period": "2023-2024/DN", "scheme": "legacy"},
        403,
    ),
    (
        "demo-analyst-945",
        "/indicators/NET_STUDENTS/series",
        {"unit": "943", "scheme": "legacy"},
        403,
    ),
    (
        "demo-analyst-945",
        "/schools",
        {"unit": "945", "period": "2023-2024/DN", "scheme": "legacy"},
        200,
    ),
    (
        "demo-analyst",
        "/indicators/values",
        {"unit": "943", "period": "2023-2024/DN", "scheme": "legacy"},
        200,
    ),
    (
        "demo-analyst",
        "/indicators/values",
        {"unit": "93", "period": "2023-2024/DN", "scheme": "legacy"},
        403,
    ),
    ("display", "/indicators/values", {"unit": "94", "period": "2023-2024/DN"}, 200),
    ("display", "/schools", {"unit": "94", "period": "2023-2024/DN"}, 403),
    ("display", "/quality/chase", {"unit": "94", "period": "2023-2024/DN"}, 403),
    ("display", "/quality", {"unit": "94", "period": "2023-2024/DN"}, 200),
    ("display", "/ingest/runs", {}, 200),
    ("display", "/ingest/runs/1", {}, 403),
    ("display", "/ingest/runs/1/rejects", {}, 403),
    ("demo-leader", "/audit", {}, 403),
    ("demo-admin", "/audit", {}, 200),
]


@pytest.mark.parametrize(("account", "path", "params", "status"), ROLE_MATRIX)
def test_role_and_unit_matrix(
    api_server: Any, account: str, path: str, params: dict[str, str], status: int
) -> None:
    r = client(api_server, account).get(path, params=params)
    assert r.status_code == status, r.text


def test_scoped_analyst_never_sees_other_units(api_server: Any) -> None:
    c = client(api_server, "demo-analyst-945")
    units = c.get("/units", params={"scheme": "legacy"}).json()
    assert units and {u["district_code"] for u in units if u["level"] != "province"} == {"945"}
    assert all(u["code"] != "943" for u in units)
    found = c.get("/units", params={"q": "ke sach"}).json()  # Kế Sách is district 943
    assert found == []
    children = c.get("/units/legacy/945").json()["children"]
    assert children and all(ch["district_code"] == "945" for ch in children)
    assert c.get("/units/legacy/94").status_code == 403


def test_repeated_answers_stay_with_their_caller(api_server: Any) -> None:
    """The same URLs asked by a leader, then by an analyst of one old district, then again."""
    leader = client(api_server, "demo-leader")
    analyst = client(api_server, "demo-analyst-945")
    params = {"unit": "943", "period": "2023-2024/DN", "scheme": "legacy"}
    assert leader.get("/indicators/values", params=params).status_code == 200
    assert analyst.get("/indicators/values", params=params).status_code == 403
    everything = leader.get("/units", params={"scheme": "legacy"}).json()
    theirs = analyst.get("/units", params={"scheme": "legacy"}).json()
    assert {u["district_code"] for u in theirs if u["level"] != "province"} == {"945"}
    assert len(theirs) < len(everything)
    assert leader.get("/units", params={"scheme": "legacy"}).json() == everything


def test_search_without_diacritics(leader: httpx.Client) -> None:
    plain = leader.get("/units", params={"q": "cu lao dung", "scheme": "legacy"}).json()
    marked = leader.get("/units", params={"q": "Cù Lao Dung", "scheme": "legacy"}).json()
    assert plain == marked and {"945", "31615"} <= {u["code"] for u in plain}


def test_logins_are_audited(api_server: Any) -> None:
    client(api_server, "demo-leader")
    admin = client(api_server, "demo-admin")
    page = admin.get("/audit", params={"action": "login", "username": "demo-leader"}).json()
    assert page["total"] >= 1 and page["items"][0]["ip"] == "127.0.0.1"


def test_exports_read_back_equal_the_json(leader: httpx.Client) -> None:
    import io

    import polars as pl

    params = {"unit": "94", "period": "2023-2024/DN", "children": "true"}
    rows = leader.get("/indicators/values", params=params).json()
    csv = leader.get("/indicators/values.csv", params=params)
    assert csv.status_code == 200 and csv.content.startswith(b"\xef\xbb\xbf")
    assert "attachment" in csv.headers["content-disposition"]
    from_csv = pl.read_csv(io.BytesIO(csv.content[3:]), infer_schema_length=None)
    xlsx = leader.get("/indicators/values", params={**params, "format": "xlsx"})
    from_xlsx = pl.read_excel(io.BytesIO(xlsx.content))
    assert from_csv.height == from_xlsx.height == len(rows)
    for frame in (from_csv, from_xlsx):
        got = dict(
            zip(
                zip(frame["unit_code"].cast(pl.String), frame["indicator_id"], strict=True),
                frame["value"],
                strict=True,
            )
        )
        for r in rows:
            v = got[(r["unit_code"], r["indicator_id"])]
            assert (v is None and r["value"] is None) or v == pytest.approx(r["value"])
    vi = leader.get("/indicators/values.csv", params={**params, "headers": "vi"})
    assert vi.text.lstrip("\ufeff").startswith("Tên đơn vị,") or "Mã chỉ tiêu" in vi.text[:300]


def test_upload_scoped_and_neutralised_in_exports(api_server: Any, tmp_path: Any) -> None:
    from tests.fixtures import SCHOOLS, table_rows, write_csv

    schools = [
        dict(SCHOOLS[0], school_code="94999001", school_name='=HYPERLINK("http://x","Bấm")'),
        dict(
            SCHOOLS[2],
            school_code="93999001",
            province_code="93",
            district_code="930",
            commune_code="31318",
        ),
    ]
    path = write_csv(tmp_path / "upload.csv", table_rows(schools))
    operator = client(api_server, "demo-operator")
    with path.open("rb") as fh:
        r = upload_and_wait(
            operator,
            "/ingest",
            files={"file": ("upload.csv", fh, "text/csv")},
            data={"period": "2024-2025/CN"},
        )
    assert r.status_code == 201, r.text
    report = r.json()
    assert (report["accepted"], report["rejected"]) == (1, 1)  # Hậu Giang is not theirs
    rejects = operator.get(f"/ingest/runs/{report['run_id']}/rejects").json()
    assert {x["rule"] for x in rejects} == {"unit_out_of_scope"}
    params = {"unit": "941", "period": "2024-2025/CN", "scheme": "legacy", "size": "1000"}
    listed = operator.get("/schools", params=params).json()["items"]
    assert '=HYPERLINK("http://x","Bấm")' in {s["school_name"] for s in listed}
    csv = operator.get("/schools.csv", params=params).text
    assert "'=HYPERLINK" in csv and ",=HYPERLINK" not in csv
    with path.open("rb") as fh:
        bad = operator.post("/ingest", files={"file": ("report.pdf", fh, "application/pdf")})
    assert bad.status_code == 415
    analyst = client(api_server, "demo-analyst")
    with path.open("rb") as fh:
        denied = analyst.post("/ingest", files={"file": ("upload.csv", fh, "text/csv")})
    assert denied.status_code == 403


def test_unknown_period_is_404(leader: httpx.Client) -> None:
    r = leader.get("/indicators/values", params={"unit": "94", "period": "2010-2011/DN"})
    assert r.status_code == 404 and r.json()["code"] == "unknown_period"


def test_operator_sets_targets_within_their_units(api_server: Any) -> None:
    operator = client(api_server, "demo-operator")
    body = [
        {
            "indicator_id": "FAC_INTERNET_PCT",
            "scheme": "legacy",
            "unit_code": "945",
            "school_year": "2024-2025",
            "target_value": 97.5,
        }
    ]
    r = operator.put("/targets", json=body)
    assert r.status_code == 200 and r.json() == {"saved": 1}
    rows = operator.get(
        "/indicators/values",
        params={
            "unit": "945",
            "period": "2024-2025/DN",
            "scheme": "legacy",
            "indicator": "FAC_INTERNET_PCT",
        },
    ).json()
    assert rows[0]["target_value"] == 97.5
    assert rows[0]["target_status"] == ("meets" if rows[0]["value"] >= 97.5 else "below")
    outside = [{**body[0], "unit_code": "93"}]
    assert operator.put("/targets", json=outside).status_code == 403
    bad = [{**body[0], "indicator_id": "NOPE"}]
    assert operator.put("/targets", json=bad).status_code == 422
    assert client(api_server, "demo-analyst").put("/targets", json=body).status_code == 403
    admin = client(api_server, "demo-admin")
    events = admin.get("/audit", params={"action": "target_set"}).json()["items"]
    assert events and events[0]["username"] == "demo-operator"


def test_upload_size_limit(api_server: Any) -> None:
    operator = client(api_server, "demo-operator")
    big = b"a" * (6 * 1024 * 1024)  # the test server accepts 5 MB
    r = operator.post("/ingest", files={"file": ("big.csv", big, "text/csv")})
    assert r.status_code == 413 and r.json()["code"] == "too_large"


def test_a_wall_screen_lists_ingest_runs_without_names(
    api_server: Any, leader: httpx.Client
) -> None:
    """The display role sees each run's outcome and counts (for the wall's failed-ingest and
    events panels), never the file name, path, host, account or failure message."""
    full = leader.get("/ingest/runs").json()
    shown = client(api_server, "display").get("/ingest/runs").json()
    assert [r["run_id"] for r in shown] == [r["run_id"] for r in full]
    hidden = {"file_name", "source_file", "sha256", "size_bytes", "run_by", "host", "message"}
    assert all(hidden.isdisjoint(r) for r in shown)
    assert {"file_name", "run_by"} <= set(full[0])
    for mine, theirs in zip(shown, full, strict=True):
        for key in ("status", "rows_accepted", "rows_replaced", "rows_rejected", "started_at"):
            assert mine[key] == theirs[key]


def test_an_analyst_sees_run_counts_but_not_other_units_rejected_rows(api_server: Any) -> None:
    analyst = client(api_server, "demo-analyst-945")
    runs = analyst.get("/ingest/runs").json()
    assert runs and "file_name" not in runs[0] and "rows_rejected" in runs[0]
    with_rejects = next(r for r in runs if r["rows_rejected"])
    r = analyst.get(f"/ingest/runs/{with_rejects['run_id']}/rejects")
    assert r.status_code == 403 and r.json()["code"] == "role_forbidden"
    leader = client(api_server, "demo-leader")
    assert leader.get(f"/ingest/runs/{with_rejects['run_id']}/rejects").json()


def test_an_unknown_api_path_is_a_404_problem_not_a_dashboard_page(api_server: Any) -> None:
    r = client(api_server, "demo-leader").get("/no-such-thing")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "no_such_resource"


@pytest.mark.parametrize(("unit", "scheme"), [("945", "legacy"), ("94", "legacy")])
def test_a_series_agrees_with_each_period_of_the_unit(
    leader: httpx.Client, unit: str, scheme: str
) -> None:
    """A district's series is computed for every district of the level at once (one
    indicator), a province's for every indicator of every province: each period of it is
    what the unit's own indicators of that period say, pending returns included."""
    series = leader.get(
        "/indicators/STF_QUALIFIED_PCT/series", params={"unit": unit, "scheme": scheme}
    ).json()
    assert len(series) >= 4 and {r["unit_code"] for r in series} == {unit}
    compared = ("value", "numerator", "denominator", "schools_in_scope", "pending", "change")
    checked = 0
    for row in series:
        period = f"{row['school_year']}/{row['term']}"
        own = leader.get(
            "/indicators/values", params={"unit": unit, "scheme": scheme, "period": period}
        )
        if own.status_code == 404:  # a period of the other scheme only
            continue
        by_id = {r["indicator_id"]: r for r in own.json()}
        expected = by_id["STF_QUALIFIED_PCT"]
        assert {k: row[k] for k in compared} == {k: expected[k] for k in compared}, period
        checked += 1
    assert checked >= 4


@pytest.mark.parametrize(("unit", "scheme"), [("945", "legacy"), ("92", "2025"), ("94", "legacy")])
def test_one_indicator_of_children_equals_it_among_all(
    leader: httpx.Client, unit: str, scheme: str
) -> None:
    """Children asked for one indicator are computed for every unit of their level at once,
    all their indicators for their province's units: both give the same rows."""
    params = {"unit": unit, "scheme": scheme, "period": "2023-2024/DN", "children": "true"}
    if scheme == "2025":
        params["period"] = "2025-2026/DN"
    every = leader.get("/indicators/values", params=params).json()
    for indicator in ("STF_QUALIFIED_PCT", "NET_STUDENTS"):
        one = leader.get("/indicators/values", params=params | {"indicator": indicator}).json()
        assert len(one) >= 3
        assert one == [r for r in every if r["indicator_id"] == indicator]
