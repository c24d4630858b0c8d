"""Rejected rows over real HTTP: a unit-scoped operator reads only what lies in their units.

A run that mixes schools inside and outside an operator's units (uploaded by an admin, and
by the operator themselves) is read back by that operator, by a province operator and by a
leader; the accounts and the registry are the real demo ones, in real DuckDB and SQLite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import httpx

from ioc import store
from ioc.config import Settings
from tests.conftest import upload_and_wait
from tests.fixtures import SCHOOLS, table_rows, write_csv
from tests.integration.test_api import PASSWORD, client

PERIOD = "2023-2024/DN"
NEW_SCHOOL = "94599901"  # not in the registry: a new school placed in district 945


def _known_school(settings: Settings, district: str) -> dict[str, str]:
    with duckdb.connect(str(settings.published_db), read_only=True) as conn:
        code, commune = conn.execute(
            "select school_code, commune_code_legacy from core_school__registry "
            "where district_code_legacy = ? and commune_code_legacy is not null "
            "order by school_code limit 1",
            [district],
        ).fetchone()  # type: ignore[misc]
    return {"school_code": code, "district_code": district, "commune_code": commune}


def _add_operator(server: Any, username: str, unit: tuple[str, str]) -> None:
    engine = store.make_engine(Settings(data_dir=server.data_dir))
    try:
        with store.open_session(engine) as session:
            if store.get_user(session, username) is None:
                store.create_user(
                    session, username, PASSWORD, "operator", units=[unit], actor="test"
                )
    finally:
        engine.dispose()


def _upload(who: httpx.Client, path: Path) -> int:
    with path.open("rb") as fh:
        r = upload_and_wait(
            who, "/ingest", files={"file": (path.name, fh, "text/csv")}, data={"period": PERIOD}
        )
    assert r.status_code == 201, r.text
    assert r.json()["rejected"] == 3 and r.json()["accepted"] == 0
    return int(r.json()["run_id"])


def _schools(who: httpx.Client, run_id: int) -> set[str | None]:
    r = who.get(f"/ingest/runs/{run_id}/rejects")
    assert r.status_code == 200, r.text
    return {row["school_code"] for row in r.json()}


def test_a_scoped_operator_reads_only_the_rejected_rows_of_their_units(
    api_server: Any, demo_settings: Settings, tmp_path: Path
) -> None:
    inside = _known_school(demo_settings, "945")  # Cù Lao Dung
    outside = _known_school(demo_settings, "943")  # Kế Sách
    new = {**inside, "school_code": NEW_SCHOOL}
    # every row breaks a rule (a negative class count), so nothing is loaded
    rows = [dict(SCHOOLS[0], **place, classes=-1) for place in (inside, outside, new)]
    path = write_csv(tmp_path / "mixed.csv", table_rows(rows))
    _add_operator(api_server, "op-945", ("legacy", "945"))
    op_945 = client(api_server, "op-945")
    op_94 = client(api_server, "demo-operator")
    leader = client(api_server, "demo-leader")
    everyone = {inside["school_code"], outside["school_code"], NEW_SCHOOL}

    by_admin = _upload(client(api_server, "demo-admin"), path)
    assert _schools(leader, by_admin) == everyone
    assert _schools(op_945, by_admin) == {inside["school_code"]}
    assert _schools(op_94, by_admin) == {inside["school_code"], outside["school_code"]}

    by_op_945 = _upload(op_945, path)
    runs = {r["run_id"]: r for r in leader.get("/ingest/runs").json()}
    assert runs[by_op_945]["run_by"] == "op-945"
    # their own file's row of a school unknown to the registry, never another unit's school
    assert _schools(op_945, by_op_945) == {inside["school_code"], NEW_SCHOOL}
    assert _schools(op_94, by_op_945) == {inside["school_code"], outside["school_code"]}
    assert _schools(leader, by_op_945) == everyone

    csv = op_945.get(f"/ingest/runs/{by_admin}/rejects", params={"format": "csv"}).text
    assert inside["school_code"] in csv and outside["school_code"] not in csv
    assert NEW_SCHOOL not in csv


def test_a_scoped_operator_reads_other_units_runs_as_counts_only(
    api_server: Any, demo_settings: Settings, tmp_path: Path
) -> None:
    inside = _known_school(demo_settings, "945")
    outside = _known_school(demo_settings, "943")
    bad = {"classes": -1}  # nothing is loaded: the runs differ only in whose schools they name
    theirs = write_csv(
        tmp_path / "cu-lao-dung.csv", table_rows([dict(SCHOOLS[0], **inside, **bad)])
    )
    other = write_csv(
        tmp_path / "ke-sach-school.csv", table_rows([dict(SCHOOLS[0], **outside, **bad)])
    )
    _add_operator(api_server, "op-945", ("legacy", "945"))
    admin, op_945 = client(api_server, "demo-admin"), client(api_server, "op-945")
    leader = client(api_server, "demo-leader")

    def upload(who: httpx.Client, path: Path) -> int:
        with path.open("rb") as fh:
            r = upload_and_wait(
                who, "/ingest", files={"file": (path.name, fh, "text/csv")}, data={"period": PERIOD}
            )
        assert r.status_code == 201, r.text
        return int(r.json()["run_id"])

    about_945, about_943 = upload(admin, theirs), upload(admin, other)
    own_about_943 = upload(op_945, other)  # their own upload, though it names no school of theirs
    listed = {r["run_id"]: r for r in op_945.get("/ingest/runs").json()}
    full = {r["run_id"]: r for r in leader.get("/ingest/runs").json()}
    assert set(listed) == set(full)  # every run is listed...
    for run_id in (about_945, own_about_943):  # ...theirs in full
        assert listed[run_id] == full[run_id]
        assert op_945.get(f"/ingest/runs/{run_id}").json() == full[run_id]  # same encoding
    hidden = listed[about_943]  # ...another unit's run: outcome and counts only
    assert full[about_943]["file_name"] == "ke-sach-school.csv"
    for column in ("file_name", "sha256", "run_by", "message"):
        assert hidden[column] is None
    assert {"source_file", "host"}.isdisjoint(full[about_943])  # no server path or host, ever
    for column in ("status", "rows_read", "rows_rejected", "rows_accepted", "started_at"):
        assert hidden[column] == full[about_943][column]
    one = op_945.get(f"/ingest/runs/{about_943}").json()
    assert one["file_name"] is None and one["rows_rejected"] == 1
    csv = op_945.get("/ingest/runs", params={"format": "csv"}).text
    lines = csv.splitlines()
    assert sum("cu-lao-dung.csv" in line for line in lines) == 1
    assert sum("ke-sach-school.csv" in line for line in lines) == 1  # their own upload
    assert _schools(op_945, about_943) == set()
