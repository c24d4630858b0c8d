"""`ioc alerts list|rules|export` as real subprocesses over a store holding alerts."""

from __future__ import annotations

import csv
import io
import json

import polars as pl

from ioc import store
from ioc.config import Settings
from tests.conftest import run_ioc
from tests.integration.alert_rows import D941, D945, P92, P94, add_alert


def _seed(settings: Settings) -> None:
    store.migrate(settings)
    engine = store.make_engine(settings)
    try:
        with store.open_session(engine) as s:
            add_alert(s, rule_key="norm_commune_key", subject_code="94501", units=[P94, P92, D945])
            add_alert(
                s,
                rule_key="source_stale",
                kind="source_stale",
                subject_kind="source",
                subject_code="smas",
                severity="critical",
                units=[P94, P92, D941],
            )
            add_alert(
                s, rule_key="data_age_province", subject_code="94", state="recovered", units=[P94]
            )
    finally:
        engine.dispose()


def test_list_rules_and_exports(settings: Settings) -> None:
    _seed(settings)
    listed = json.loads(run_ioc(settings, "alerts", "list", "--json").stdout)
    assert {r["rule"] for r in listed} == {"norm_commune_key", "source_stale"}
    critical = json.loads(
        run_ioc(settings, "alerts", "list", "--severity", "critical", "--json").stdout
    )
    assert [r["subject"] for r in critical] == ["smas smas"]
    in_945 = run_ioc(settings, "alerts", "list", "--unit", "legacy:945", "--state", "all", "--json")
    assert [r["rule"] for r in json.loads(in_945.stdout)] == ["norm_commune_key"]
    assert run_ioc(settings, "alerts", "list", "--state", "nope", check=False).returncode == 2
    rules = json.loads(run_ioc(settings, "alerts", "rules", "--json").stdout)
    assert {"source_stale", "norm_province"} <= {r["key"] for r in rules}
    out = settings.data_dir / "alerts.csv"
    run_ioc(settings, "alerts", "export", "--out", str(out), "--state", "all")
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8-sig"))))
    assert "Mức độ" in rows[0] and "Quy tắc" in rows[0] and len(rows) == 4
    book = settings.data_dir / "history.xlsx"
    run_ioc(settings, "alerts", "export", "--history", "--out", str(book), "--lang", "en")
    history = pl.read_excel(book)
    assert history.height == 3 and "Action" in history.columns
    assert set(history["Action"]) == {"open"}
