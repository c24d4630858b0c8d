"""The alerts' store services without a server: overlapping silences and what ending one
leaves, the per-account rule limit, and a resolved alert's open key freed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from ioc import store
from ioc.alerts.rules import RuleSpec
from ioc.config import Settings
from ioc.store import alert_config, alerts
from ioc.store.alert_models import Alert
from ioc.store.types import utcnow
from tests.integration.alert_rows import D941, D945, P92, P94, add_alert


@pytest.fixture
def session(settings: Settings) -> Iterator[Session]:
    store.migrate(settings)
    engine = store.make_engine(settings)
    with store.open_session(engine) as s:
        yield s
    engine.dispose()


def _until(session: Session, alert_id: int) -> object:
    session.expire_all()
    alert = session.get(Alert, alert_id)
    assert alert is not None
    return alert.silenced_until


def test_overlapping_silences(session: Session, settings: Settings) -> None:
    now = utcnow()
    a945 = add_alert(session, rule_key="norm_commune_key", subject_code="1", units=[P94, P92, D945])
    a941 = add_alert(session, rule_key="source_stale", subject_code="2", units=[P94, P92, D941])
    closed = add_alert(session, rule_key="source_stale", subject_code="3", state="resolved",
                       units=[P94, D945])  # fmt: skip
    ids = a945.id, a941.id, closed.id

    def add(rule: str, unit: tuple[str, str], days: int) -> dict[str, object]:
        return alert_config.add_silence(
            session, rule_key=rule, scheme=unit[0], unit_code=unit[1], reason="r",
            ends_at=now + timedelta(days=days), actor="t", settings=settings, now=now,
        )  # fmt: skip

    short = add("*", P94, 1)
    assert short["alerts"] == 2  # both active alerts of the province, not the closed one
    long = add("norm_commune_key", D945, 5)
    assert long["alerts"] == 1
    assert _until(session, ids[0]) == now + timedelta(days=5)
    assert _until(session, ids[1]) == now + timedelta(days=1)
    assert _until(session, ids[2]) is None
    alert_config.end_silence(session, alert_config.get_silence(session, int(long["id"])), "t")
    assert _until(session, ids[0]) == now + timedelta(days=1)  # the province's silence stays
    with pytest.raises(alerts.AlertError) as refused:
        add("*", P94, 400)
    assert refused.value.code == "alert_silence_ends"
    with pytest.raises(alerts.AlertError):
        add("no_such_rule", P94, 1)


def test_rule_limit_and_catalog_keys(session: Session, settings: Settings) -> None:
    settings = settings.model_copy(update={"alerts_max_rules_per_account": 2})

    def rule(key: str) -> RuleSpec:
        return RuleSpec(key=key, kind="data_age", vi="x", en="y", threshold=30)

    for key in ("r_one", "r_two"):
        alert_config.add_rule(session, rule(key), "op", settings)
    with pytest.raises(alerts.AlertError) as limit:
        alert_config.add_rule(session, rule("r_three"), "op", settings)
    assert limit.value.code == "alert_rule_limit"
    alert_config.add_rule(session, rule("r_three"), "other", settings)
    with pytest.raises(alerts.AlertError) as catalog:
        alert_config.add_rule(session, rule("source_stale"), "other", settings)
    assert catalog.value.code == "alert_rule_catalog"
    assert [r["key"] for r in alert_config.list_rules(session) if r["source"] == "store"] == [
        "r_one",
        "r_three",
        "r_two",
    ]


def test_resolve_frees_the_open_key(session: Session) -> None:
    alert = add_alert(session, rule_key="source_stale", subject_code="s", units=[P94])
    key = alert.open_key
    alerts.resolve(session, alert.id, "me", "done", "build-1", None)
    again = add_alert(session, rule_key="source_stale", subject_code="s", units=[P94])
    assert again.open_key == key and alert.open_key is None
    assert alert.resolved_build_id == "build-1"
