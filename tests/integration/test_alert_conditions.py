"""What each alert rule kind finds (issue 18, docs/alerts.md), on a real snapshot built by the
ingest and a real store, against figures computed here by hand.

The snapshot: the six schools of ``tests.fixtures`` (old Sóc Trăng, 94) in 2023-2024/DN,
received 20 Oct 2023, and five of them in 2024-2025/DN, received 25 Oct 2024 (due 31 Oct):
94300002 (alone in legacy commune 31531, also 2025 commune 31531) did not report again. In
2024-2025 school 94100001 (primary, alone in legacy commune 31498) has 800 pupils in 20
classes: 40 a class against the norm of 35, a relative gap of 5/35 = 0.1429, up from 660/20 =
33 a year before (+7/33 = 0.2121). 94300001 (alone in 31528) has no pupil count: no value.
Legacy district 941's two schools are both in 2025 commune 31507; district 943's two are in
2025 communes 31528 and 31531."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb
import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from ingest.runner import ingest
from ioc import db, store
from ioc.alerts.condition import Condition
from ioc.alerts.conditions import find
from ioc.alerts.rules import RuleSpec
from ioc.config import Settings
from ioc.store.models import Job, ReportRun, ReportSchedule, Source, SourcePull
from tests.fixtures import SCHOOLS, table_rows, write_csv

BEFORE_DUE = datetime(2024, 10, 30, 3, tzinfo=UTC)
AFTER_DUE = datetime(2024, 11, 5, 3, tzinfo=UTC)  # 2024-11-05 in Vietnam too
SILENT = "94300002"


@dataclass
class World:
    settings: Settings
    conn: duckdb.DuckDBPyConnection
    session: Session


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    where = tmp_path_factory.mktemp("alert-conditions")
    settings = Settings(data_dir=where / "data")
    first = write_csv(where / "2023.csv", table_rows(SCHOOLS))
    later = [
        {**s, "students": 800} if s["school_code"] == "94100001" else s
        for s in SCHOOLS
        if s["school_code"] != SILENT
    ]
    second = write_csv(where / "2024.csv", table_rows(later))
    for path, period, received in (
        (first, "2023-2024/DN", date(2023, 10, 20)),
        (second, "2024-2025/DN", date(2024, 10, 25)),
    ):
        [report] = ingest([path], period=period, received=received, settings=settings)
        assert report.status == "loaded", report
    engine = store.make_engine(settings)
    store.migrate(engine)
    conn = db.connect_published(settings)
    try:
        with store.open_session(engine) as session:
            yield World(settings, conn, session)
    finally:
        conn.close()
        engine.dispose()


def rule(kind: str, **fields: Any) -> RuleSpec:
    return RuleSpec.model_validate(
        {"key": f"t_{kind}", "kind": kind, "vi": "x", "en": "x", **fields}
    )


def found(w: World, spec: RuleSpec, now: datetime = AFTER_DUE) -> list[Condition]:
    return find(w.conn, w.session, w.settings, [spec], now)


def by_subject(conditions: list[Condition]) -> dict[tuple[str, str | None], Condition]:
    return {(c.subject_code, c.item): c for c in conditions}


def test_a_unit_below_its_norm_by_the_gap_is_a_condition(world: World) -> None:
    spec = rule(
        "indicator_norm",
        level="commune",
        scheme="legacy",
        indicators=["NET_CLASS_SIZE"],
        threshold=0.1,
    )
    got = by_subject(found(world, spec))
    assert set(got) == {("31498", "NET_CLASS_SIZE")}  # 31501: 1010/24 = 42.1 meets 45
    hit = got[("31498", "NET_CLASS_SIZE")]
    assert hit.value == pytest.approx(40.0)
    assert hit.detail["figures"]["reference"] == pytest.approx(35.0)
    assert hit.threshold == pytest.approx(35.0)  # shown beside the value: the norm
    assert hit.detail["figures"]["gap"] == pytest.approx(5 / 35)
    assert (hit.school_year, hit.term, hit.scheme, hit.unit_code) == (
        "2024-2025",
        "DN",
        "legacy",
        "31498",
    )
    assert "40" in hit.detail["vi"] and "35" in hit.detail["en"]
    assert "Sĩ số bình quân" in hit.detail["vi"] and "Average class size" in hit.detail["en"]
    # the gap is 0.143: a rule asking for 0.15 finds nothing
    assert found(world, spec.model_copy(update={"threshold": 0.15})) == []


def test_a_unit_without_a_value_is_no_condition(world: World) -> None:
    spec = rule("indicator_norm", level="commune", scheme="legacy", indicators=["NET_CLASS_SIZE"])
    codes = {c.subject_code for c in found(world, spec)}
    assert "31528" not in codes  # its only school gave no pupil count: missing is not zero
    assert codes == {"31498"}


def test_change_since_last_year_beyond_the_share(world: World) -> None:
    spec = rule(
        "change", level="commune", scheme="legacy", indicators=["NET_CLASS_SIZE"], threshold=0.2
    )
    [hit] = found(world, spec)
    assert (hit.subject_code, hit.value) == ("31498", pytest.approx(40.0))
    assert hit.detail["figures"]["gap"] == pytest.approx(7 / 33)
    assert found(world, spec.model_copy(update={"threshold": 0.25})) == []


def test_missing_returns_after_the_due_date_only(world: World) -> None:
    spec = rule("missing_returns", level="district", scheme="legacy", threshold=0.4)
    assert found(world, spec, BEFORE_DUE) == []
    [hit] = found(world, spec)
    assert (hit.subject_code, hit.value, hit.threshold) == ("943", 1.0, 0.4)
    assert hit.detail["figures"] == {
        "missing": 1,
        "expected": 2,
        "share": 0.5,
        "due_date": "2024-10-31",
    }
    # 1 of 2 is a share of 0.5, not above 0.5
    assert found(world, spec.model_copy(update={"threshold": 0.5})) == []


def test_missing_returns_per_school(world: World) -> None:
    [hit] = found(world, rule("missing_returns", level="school"))
    assert (hit.subject_kind, hit.subject_code, hit.unit_code) == ("school", SILENT, "31531")
    assert set(hit.units) == {
        ("legacy", "94"),
        ("legacy", "943"),
        ("legacy", "31531"),
        ("2025", "92"),
        ("2025", "31531"),
    }


def test_data_age(world: World) -> None:
    # 2025 commune 31531's newest return came on 20 Oct 2023: 382 days before 5 Nov 2024;
    # every other commune reported on 25 Oct 2024, 11 days before
    spec = rule("data_age", level="commune", scheme="2025", threshold=365)
    [hit] = found(world, spec)
    assert (hit.subject_code, hit.value) == ("31531", 382.0)
    assert found(world, spec.model_copy(update={"threshold": 382})) == []
    assert len(found(world, spec.model_copy(update={"threshold": 10}))) == 5


def test_the_units_of_a_2025_commune_and_of_a_legacy_district(world: World) -> None:
    [commune] = found(world, rule("data_age", level="commune", scheme="2025", threshold=365))
    # the old district 943 and its commune 31531 hold all its schools; nothing bigger in 2025
    assert set(commune.units) == {
        ("2025", "31531"),
        ("2025", "92"),
        ("legacy", "31531"),
        ("legacy", "943"),
        ("legacy", "94"),
    }
    [district] = found(world, rule("missing_returns", level="district", scheme="legacy"))
    # 943's schools are in two 2025 communes: only the 2025 province holds them all
    assert set(district.units) == {("legacy", "943"), ("legacy", "94"), ("2025", "92")}
    spec = rule("data_age", level="commune", scheme="2025", threshold=0)
    units = {c.subject_code: set(c.units) for c in found(world, spec)}
    # 2025 commune 31507 is wholly inside old district 941 (both its schools), not a commune
    assert units["31507"] == {
        ("2025", "31507"),
        ("2025", "92"),
        ("legacy", "941"),
        ("legacy", "94"),
    }


def test_a_rule_limited_to_units(world: World) -> None:
    fields = {"level": "commune", "scheme": "2025", "threshold": 0}
    inside = rule("data_age", units=[{"scheme": "legacy", "code": "941"}], **fields)
    assert {c.subject_code for c in found(world, inside)} == {"31507"}
    elsewhere = rule("data_age", units=[{"scheme": "legacy", "code": "95"}], **fields)
    assert found(world, elsewhere) == []


@pytest.fixture
def clean_store(world: World) -> Iterator[Session]:
    yield world.session
    for model in (SourcePull, Source, ReportRun, ReportSchedule, Job):
        world.session.query(model).delete()
    world.session.query(store.User).delete()
    world.session.commit()


def pull(source: str, status: str, at: datetime) -> SourcePull:
    return SourcePull(
        source=source,
        trigger="schedule",
        started_by="schedule",
        mode="delta",
        status=status,
        started_at=at - timedelta(minutes=1),
        finished_at=at,
    )


def source(name: str, created: datetime, units: list[dict[str, str]]) -> Source:
    return Source(
        name=name,
        kind="http_json",
        base_url="https://example.invalid",
        units=units,
        resources=["schools"],
        late_after_hours=48,
        created_by="admin",
        created_at=created,
    )


def test_a_failing_and_a_late_source(world: World, clean_store: Session) -> None:
    now = AFTER_DUE
    hours = lambda n: now - timedelta(hours=n)  # noqa: E731
    clean_store.add_all(
        [
            source("failing", hours(500), [{"scheme": "legacy", "code": "943"}]),
            source("twice", hours(500), []),
            source("late", hours(500), []),
            source("young", hours(10), []),
            source("never", hours(60), []),
            pull("failing", "succeeded", hours(6)),
            *(pull("failing", "failed", hours(n)) for n in (3, 2, 1)),
            pull("twice", "succeeded", hours(6)),
            *(pull("twice", "failed", hours(n)) for n in (2, 1)),
            pull("late", "succeeded", hours(50)),
        ]
    )
    clean_store.commit()
    got = by_subject(found(world, rule("source_stale", threshold=3), now))
    assert set(got) == {("failing", None), ("late", None), ("never", None)}
    failing = got[("failing", None)]
    assert (failing.subject_kind, failing.value, failing.threshold) == ("source", 3.0, 3.0)
    assert set(failing.units) == {("legacy", "943"), ("legacy", "94"), ("2025", "92")}
    assert got[("late", None)].value == pytest.approx(50.0)
    assert got[("never", None)].value == pytest.approx(60.0)  # since it was declared
    assert "3" in failing.detail["en"] and "failing" in failing.detail["vi"]


def test_a_failed_report_run_and_failed_jobs_within_the_window(
    world: World, clean_store: Session
) -> None:
    now = AFTER_DUE
    store.create_user(
        clean_store, "op943", "a-long-password-2025", "operator", units=[("legacy", "943")]
    )
    schedule = {
        "owner": "op943",
        "cron": "0 7 * * 1",
        "kind": "summary",
        "scheme": "legacy",
        "unit_codes": ["943"],
        "period": "latest",
        "formats": ["xlsx"],
    }
    failed = ReportSchedule(name="Weekly 943", **schedule)
    mended = ReportSchedule(name="Mended", **schedule)
    clean_store.add_all([failed, mended])
    clean_store.flush()
    run = {"trigger": "schedule", "started_at": now - timedelta(hours=30)}
    clean_store.add_all(
        [
            ReportRun(schedule_id=failed.id, status="succeeded", **run),
            ReportRun(schedule_id=failed.id, status="failed", error="disk full", **run),
            ReportRun(schedule_id=mended.id, status="failed", **run),
            ReportRun(schedule_id=mended.id, status="succeeded", **run),
        ]
    )
    job = {"status": "failed", "request": {}, "created_at": now - timedelta(hours=40)}
    clean_store.add_all(
        [
            Job(kind="ingest", started_by="op943", finished_at=now - timedelta(hours=2), **job),
            Job(kind="pull", started_by="admin", finished_at=now - timedelta(hours=23), **job),
            Job(kind="ingest", started_by="op943", finished_at=now - timedelta(hours=30), **job),
            Job(
                kind="source_test", started_by="op943", finished_at=now - timedelta(hours=1), **job
            ),
        ]
    )
    clean_store.commit()
    got = found(world, rule("run_failed", threshold=24), now)
    assert [c.subject_kind for c in got] == ["schedule", "job", "job"]
    schedule_hit, mine, admins = got
    assert schedule_hit.subject_name == "Weekly 943"
    assert schedule_hit.detail["figures"]["error"] == "disk full"
    assert schedule_hit.subject_code == str(failed.id)
    assert set(schedule_hit.units) == {("legacy", "943"), ("legacy", "94"), ("2025", "92")}
    assert set(mine.units) == set(schedule_hit.units)  # the operator's scope
    assert admins.units == ()  # started by an unscoped account: admins and leaders only
    assert {c.detail["figures"]["kind"] for c in (mine, admins)} == {"ingest", "pull"}
    # a wider window takes the older failure too
    assert len(found(world, rule("run_failed", threshold=48), now)) == 4


def test_without_a_build_the_build_kinds_are_skipped(world: World) -> None:
    rules = [rule("data_age", level="commune", scheme="2025", threshold=0)]
    assert find(None, world.session, world.settings, rules, AFTER_DUE) == []


def test_indicator_rules_refuse_the_school_level() -> None:
    with pytest.raises(ValidationError, match="level"):
        rule("indicator_norm", level="school")
