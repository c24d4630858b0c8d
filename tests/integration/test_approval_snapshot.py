"""Official figures are approved figures (issue 17, docs/approval.md): the snapshot's bases
against sums computed by hand from the returns file, and the ingest's refusals of a changed
approved return and of a locked period, with IOC_APPROVAL=required."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from ingest.approvals import approval_mode_changed, publish_reviews
from ingest.runner import ingest
from ioc import db, store
from ioc.config import Settings
from ioc.jobs import review
from ioc.jobs.kinds import KINDS
from ioc.jobs.runner import JobRunner
from ioc.reviews.states import Action
from ioc.store import reviews
from ioc.views.indicators import indicator_values
from ioc.views.units import as_unit, unit_row
from tests.fixtures import SCHOOLS, table_rows, write_csv

YEAR, TERM = "2021-2022", "DN"
PERIOD = f"{YEAR}/{TERM}"
APPROVER = [("legacy", "94")]  # who locks the province
HASHES = "select school_code, content_hash from core_school__period_returns order by 1"


def students(settings: Settings, basis: str) -> tuple[Any, int]:
    """NET_STUDENTS of old province 94 on ``basis`` (None without a counted return), and the
    province's pending returns."""
    conn = db.connect_published(settings)
    try:
        unit = as_unit(unit_row(conn, settings, "94", "legacy"))
        rows = indicator_values(conn, settings, unit, YEAR, TERM, basis=basis)  # type: ignore[arg-type]
    finally:
        conn.close()
    found = [r for r in rows if r["indicator_id"] == "NET_STUDENTS"]
    assert all(r["basis"] == basis for r in rows)
    if not found:
        return None, -1
    return found[0]["numerator"], found[0]["pending"]


def by_hand(codes: set[str]) -> int:
    return sum(s["students"] or 0 for s in SCHOOLS if s["school_code"] in codes)


def snapshot(settings: Settings, sql: str, params: list[Any] | None = None) -> list[Any]:
    conn = db.connect_published(settings)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def approve(
    settings: Settings, codes: list[str], *, job: bool = False, period: str = PERIOD
) -> None:
    """Check (by the school's old district) then approve (by its old province) through the
    review service, then publish (through the ``review_publish`` job as the API does, if
    ``job``)."""
    year, term = period.split("/")
    hashes = dict(
        snapshot(
            settings,
            "select school_code, content_hash from core_school__period_returns "
            "where school_year = ? and term = ?",
            [year, term],
        )
    )
    places = {
        code: {("legacy", "district"): district, ("legacy", "province"): province}
        for code, district, province in snapshot(
            settings,
            "select school_code, district_code_legacy, province_code_legacy "
            "from core_school__registry where school_code in (select unnest(?))",
            [codes],
        )
    }
    engine = store.make_engine(settings)
    store.migrate(engine)
    with store.open_session(engine) as session:
        for code in codes:
            key = reviews.ReturnKey(code, year, term)
            district = [("legacy", places[code][("legacy", "district")])]
            province = [("legacy", places[code][("legacy", "province")])]
            for action, actor, scopes in (
                (Action.CHECK, "checker", district),
                (Action.APPROVE, "approver", province),
            ):
                reviews.act(
                    session,
                    actor=actor,
                    action=action,
                    key=key,
                    content_hash=hashes[code],
                    expected_hash=hashes[code],
                    reason=None,
                    scheme="legacy",
                    scopes=scopes,
                    place=places[code],
                )
    engine.dispose()
    if not job:
        publish_reviews(settings, codes)
        return
    runner = JobRunner(settings, KINDS)
    runner.connect()
    build = snapshot(settings, "select max(build_id) from meta__builds")
    done = runner.run_now("review_publish", "approver", review.request(codes))
    assert done.status == "succeeded", done.problem
    assert done.result is not None and done.result["schools"] == len(set(codes))
    assert done.result["build_id"] not in (None, build[0][0])


@pytest.fixture
def loaded(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path / "data", approval="required")
    [report] = ingest(
        [write_csv(tmp_path / "returns.csv", table_rows())], period=PERIOD, settings=settings
    )
    assert report.status == "loaded" and report.accepted == len(SCHOOLS)
    return settings


def test_official_figures_count_approved_returns_only(loaded: Settings) -> None:
    every = {s["school_code"] for s in SCHOOLS}
    assert students(loaded, "all") == (by_hand(every), len(SCHOOLS))
    official, _ = students(loaded, "official")
    assert official in (None, 0)  # nothing approved yet

    approved = {"94100001", "94200002"}
    approve(loaded, sorted(approved), job=True)
    assert students(loaded, "official") == (by_hand(approved), len(SCHOOLS) - 2)
    assert students(loaded, "all") == (by_hand(every), len(SCHOOLS) - 2)
    copied = snapshot(loaded, "select school_code, approved_by from core_return__approvals")
    assert sorted(copied) == [(c, "approver") for c in sorted(approved)]


def test_a_changed_approved_return_is_refused_the_same_one_is_not(
    loaded: Settings, tmp_path: Path
) -> None:
    approve(loaded, ["94100001"])
    before = snapshot(
        loaded, "select school_code, content_hash from core_school__period_returns order by 1"
    )
    same = write_csv(tmp_path / "same.csv", table_rows(SCHOOLS[:2]))
    [report] = ingest([same], period=PERIOD, settings=loaded)
    assert (report.accepted, report.rejected) == (2, 0)
    assert (
        snapshot(
            loaded, "select school_code, content_hash from core_school__period_returns order by 1"
        )
        == before
    )
    assert students(loaded, "official")[0] == by_hand({"94100001"})

    changed = copy.deepcopy(SCHOOLS[:2])
    for school in changed:
        school["students"] += 7
    path = write_csv(tmp_path / "changed.csv", table_rows(changed))
    [report] = ingest([path], period=PERIOD, settings=loaded)
    assert (report.accepted, report.rejected) == (1, 1)  # 94100002 was not approved
    [(rule, params, message)] = snapshot(
        loaded,
        "select rule, params, message from ingest_rejects where run_id = ?",
        [report.run_id],
    )
    assert rule == "approved_return"
    assert json.loads(params)["approved_by"] == "approver"
    assert "approved on" in message and "by approver" in message
    assert students(loaded, "official")[0] == by_hand({"94100001"})
    assert students(loaded, "all")[0] == by_hand({s["school_code"] for s in SCHOOLS}) + 7


def test_a_locked_period_refuses_a_new_return(loaded: Settings, tmp_path: Path) -> None:
    approve(loaded, [s["school_code"] for s in SCHOOLS])
    engine = store.make_engine(loaded)
    with store.open_session(engine) as session:
        reviews.lock(
            session,
            actor="approver",
            unit_scheme="legacy",
            unit_code="94",
            school_year=YEAR,
            term=TERM,
            pending=0,
            scopes=APPROVER,
        )
    engine.dispose()
    newcomer = {**SCHOOLS[0], "school_code": "94100099", "school_name": "Trường Tiểu học Mới"}
    rows = table_rows([SCHOOLS[1], newcomer])
    [report] = ingest([write_csv(tmp_path / "new.csv", rows)], period=PERIOD, settings=loaded)
    assert (report.accepted, report.rejected) == (1, 1)  # the same content is not refused
    [(code, rule)] = snapshot(
        loaded, "select school_code, rule from ingest_rejects where run_id = ?", [report.run_id]
    )
    assert (code, rule) == ("94100099", "locked_period")


def test_switching_the_approval_setting_recomputes_official_figures(tmp_path: Path) -> None:
    """Data loaded with IOC_APPROVAL=off counts every return officially; once the setting is
    required, the next publish (``ioc serve`` does one at start) recomputes everything, so no
    unapproved figure stays official, and back again."""
    off = Settings(data_dir=tmp_path / "data", approval="off")
    ingest([write_csv(tmp_path / "returns.csv", table_rows())], period=PERIOD, settings=off)
    every = {s["school_code"] for s in SCHOOLS}
    assert students(off, "official")[0] == by_hand(every)
    required = off.model_copy(update={"approval": "required"})
    assert approval_mode_changed(required) and not approval_mode_changed(off)
    publish_reviews(required, [])
    assert not approval_mode_changed(required)
    assert students(required, "official")[0] in (None, 0)
    assert students(required, "all")[0] == by_hand(every)
    assert approval_mode_changed(off)
    publish_reviews(off, [])
    assert students(off, "official")[0] == by_hand(every)


def test_a_district_series_counts_its_pending_returns(loaded: Settings) -> None:
    """The API's series of a district (every district of the level at once, one indicator,
    with the returns not yet approved counted per district): official figures and pending
    returns by hand, after one school of district 941 is approved."""
    from ioc.api.cache import uncached
    from ioc.api.views import series_batch, unit_series

    approve(loaded, ["94100001"])
    conn = db.connect_published(loaded)
    try:
        got = {}
        for district in ("941", "942", "943"):
            unit = as_unit(unit_row(conn, loaded, district, "legacy"))
            batch = uncached(*series_batch(uncached, conn, loaded, unit, "NET_STUDENTS"))
            [row] = unit_series(batch, unit, "NET_STUDENTS", TERM).to_dicts()
            got[district] = (row["numerator"], row["pending"])
    finally:
        conn.close()
    assert got == {
        "941": (by_hand({"94100001"}), 1),
        "942": (0, 2),
        "943": (0, 2),
    }
