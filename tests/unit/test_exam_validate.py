"""The row rules of exam results and registrations (docs/exams.md "Ingest") on small frames
of text cells, as the readers give them: each rule rejects (or warns about) exactly the row
that breaks it, naming the field, the value and the candidate."""

from __future__ import annotations

import json
from typing import Any

import polars as pl
import pytest

from ingest.exams.validate import check_registrations, check_results
from ioc.catalog.messages import messages
from ioc.exams.catalog import load_exam_catalog

GOOD = {"candidate_no": "06000001", "council": "6", "TOAN": "7.25", "VAN": "6.5"}


def frame(*rows: dict[str, Any]) -> pl.DataFrame:
    data = pl.DataFrame(list(rows), schema={k: pl.String for r in rows for k in r})
    return data.with_columns(
        pl.lit(None, dtype=pl.String).alias("_sheet"),
        pl.int_range(1, data.height + 1, dtype=pl.Int32).alias("_row"),
    )


def issues(found: pl.DataFrame) -> list[tuple[int, str, str, str | None]]:
    return sorted(found.select("_row", "field", "rule", "value").rows())


@pytest.mark.parametrize(
    ("row", "field", "rule", "value"),
    [
        ({"candidate_no": "0600001"}, "candidate_no", "exam_candidate_no", "0600001"),
        ({"candidate_no": "06A00001"}, "candidate_no", "exam_candidate_no", "06A00001"),
        (
            {"candidate_no": "20000001", "council": "20"},
            "candidate_no",
            "exam_unknown_council",
            "20000001",
        ),
        ({"council": "7"}, "council", "exam_council_mismatch", "7"),
        ({"TOAN": "10.5"}, "TOAN", "exam_score_range", "10.5"),
        ({"TOAN": "-0.25"}, "TOAN", "exam_score_range", "-0.25"),
        ({"VAN": "6.123"}, "VAN", "exam_score_resolution", "6.123"),
        ({"TOAN": "bảy"}, "TOAN", "not_a_number", "bảy"),
        (
            {"foreign_language": "N9", "NGOAI_NGU": "5"},
            "foreign_language",
            "exam_unknown_language",
            "N9",
        ),
    ],
)
def test_each_rule_rejects_its_row(row: dict[str, str], field: str, rule: str, value: str) -> None:
    other = {**GOOD, "candidate_no": "06000002"}
    checked = check_results(frame({**GOOD, **row}, other), load_exam_catalog())
    assert issues(checked.rejects) == [(1, field, rule, value)]
    assert checked.accepted["candidate_no"].to_list() == ["06000002"]
    params = json.loads(checked.rejects["params"][0])
    assert params["candidate_no"] == {**GOOD, **row}["candidate_no"]
    text = messages(checked.rejects, "vi")[0]
    assert text and "{" not in text  # the catalog's message, filled


def test_duplicated_candidate_rejects_every_copy() -> None:
    rows = frame(GOOD, {**GOOD, "candidate_no": "06000002"}, {**GOOD, "TOAN": "3"})
    checked = check_results(rows, load_exam_catalog())
    assert issues(checked.rejects) == [
        (1, "candidate_no", "exam_duplicate_candidate", "06000001"),
        (3, "candidate_no", "exam_duplicate_candidate", "06000001"),
    ]
    assert json.loads(checked.rejects["params"][0])["rows"] == "1, 3"
    assert checked.accepted["candidate_no"].to_list() == ["06000002"]


def test_scores_kept_in_hundredths_off_grid_warned() -> None:
    rows = frame(
        {**GOOD, "TOAN": "1.6", "VAN": "6.66", "LI": "-1", "HOA": "", "foreign_language": "n1"},
        {**GOOD, "candidate_no": "06000002", "TOAN": "10", "VAN": "0", "NGOAI_NGU": "6,35"},
    )
    checked = check_results(rows, load_exam_catalog())
    assert checked.rejects.is_empty()
    first, second = checked.accepted.to_dicts()
    assert (first["TOAN"], first["VAN"], first["LI"], first["HOA"]) == (1.6, 6.66, None, None)
    assert first["foreign_language"] == "N1" and first["province_code_legacy"] == "04"
    assert (second["TOAN"], second["VAN"], second["NGOAI_NGU"]) == (10.0, 0.0, 6.35)
    # Ngữ văn is marked in quarters: 6.66 is kept and warned about; 6.35 in steps of 0.05 is not
    assert issues(checked.warnings) == [(1, "VAN", "exam_off_grid", "6.66")]


def test_a_row_breaking_two_rules_has_both_and_one_row_rejected() -> None:
    checked = check_results(frame({**GOOD, "TOAN": "11", "VAN": "6.123"}), load_exam_catalog())
    assert {r[2] for r in issues(checked.rejects)} == {"exam_score_range", "exam_score_resolution"}
    assert checked.accepted.is_empty()


def test_registrations_reject_unknown_schools_and_bad_numbers() -> None:
    rows = frame(
        {"candidate_no": "06000001", "school_code": "94100001"},
        {"candidate_no": "06000002", "school_code": "99999999"},
        {"candidate_no": "6000003", "school_code": "94100001"},
    )
    checked = check_registrations(rows, pl.Series(["94100001", "94100002"]))
    assert issues(checked.rejects) == [
        (2, "school_code", "exam_unknown_school", "99999999"),
        (3, "candidate_no", "exam_candidate_no", "6000003"),
    ]
    assert checked.accepted.select("candidate_no", "school_code").rows() == [
        ("06000001", "94100001")
    ]
