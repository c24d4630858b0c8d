"""The row rules of exam results and registrations (docs/exams.md "Ingest"), pure functions
over a frame of text cells (:mod:`ingest.exams.read`): which rows are accepted, which are
rejected (one record per broken rule, with the cell's text and the message's parameters)
and which carry warnings. Nothing here touches a database.

A score is text until checked: -1 or blank is a paper not taken; anything else must be a
number from 0 to 10 in steps of 0.01 at most (``score_resolution``). Scores are compared in
hundredths (integers), so 6.35 is on the 0.05 grid whatever its binary float is.
"""

from __future__ import annotations

import polars as pl

from ioc.catalog.messages import ISSUE_COLUMNS, params
from ioc.exams.catalog import ExamCatalog
from ioc.returns.validate import Checked

KEY = ["_sheet", "_row"]
NOT_TAKEN = -1
#: the columns of an accepted candidate besides its scores (one Float64 column per subject)
CANDIDATE_COLUMNS = ["candidate_no", "council_code", "province_code_legacy", "foreign_language"]
EPSILON = 1e-6  # a float's error on a score of two decimals, in hundredths


def check_results(rows: pl.DataFrame, catalog: ExamCatalog) -> Checked:
    """Validate candidates' rows: ``accepted`` holds ``_sheet``, ``_row``,
    :data:`CANDIDATE_COLUMNS` and one Float64 column per subject of the catalog (null: paper
    not taken); ``rejects`` and ``warnings`` are issue frames (``ISSUE_COLUMNS``)."""
    subjects = [s.code for s in catalog.subjects]
    rows = _with_columns(rows, ["candidate_no", "council", "foreign_language", *subjects])
    councils = pl.DataFrame(
        {
            "council_code": list(catalog.councils),
            "province_code_legacy": [c.province for c in catalog.councils.values()],
        }
    )
    frame = rows.with_columns(
        pl.col("candidate_no").str.strip_chars(),
        pl.col("foreign_language").str.strip_chars().str.to_uppercase(),
        pl.col("candidate_no").str.strip_chars().str.slice(0, 2).alias("council_code"),
    ).join(councils, on="council_code", how="left")
    sbd_ok = pl.col("candidate_no").str.contains(r"^\d{8}$").fill_null(False)
    council = pl.col("council").str.strip_chars()
    council_text = pl.when(council.str.contains(r"^\d$")).then("0" + council).otherwise(council)
    found: list[pl.DataFrame] = [
        _issue(frame, ~sbd_ok, "candidate_no", "exam_candidate_no"),
        _issue(
            frame,
            sbd_ok & pl.col("province_code_legacy").is_null(),
            "candidate_no",
            "exam_unknown_council",
            council=pl.col("council_code"),
        ),
        _issue(
            frame,
            sbd_ok & council.is_not_null() & (council_text != pl.col("council_code")),
            "council",
            "exam_council_mismatch",
            expected=pl.col("council_code"),
        ),
        _issue(
            frame,
            pl.col("foreign_language").is_not_null()
            & ~pl.col("foreign_language").is_in(list(catalog.foreign_languages)),
            "foreign_language",
            "exam_unknown_language",
        ),
        _duplicates(frame, sbd_ok),
    ]
    warnings: list[pl.DataFrame] = []
    scores = []
    for subject in catalog.subjects:
        text = pl.col(subject.code).str.strip_chars().str.replace(",", ".", literal=True)
        cell = pl.when(text != "").then(text)  # a blank cell: paper not taken
        number = cell.cast(pl.Float64, strict=False)
        hundredths = number * 100
        taken = cell.is_not_null() & (number != NOT_TAKEN).fill_null(True)
        grid = int(subject.grid * 100)
        frame = frame.with_columns(hundredths.alias(f"_h_{subject.code}"))
        h = pl.col(f"_h_{subject.code}")
        on_resolution = (h - h.round(0)).abs() < EPSILON
        in_range = (h >= -EPSILON) & (h <= 1000 + EPSILON)
        found += [
            _issue(frame, taken & number.is_null(), subject.code, "not_a_number"),
            _issue(frame, taken & ~in_range, subject.code, "exam_score_range"),
            _issue(
                frame,
                taken & in_range & ~on_resolution,
                subject.code,
                "exam_score_resolution",
                resolution=pl.lit(float(catalog.score_resolution)),
            ),
        ]
        off_grid = taken & in_range & on_resolution & (h.round(0).cast(pl.Int64) % grid != 0)
        warnings.append(
            _issue(frame, off_grid, subject.code, "exam_off_grid", grid=pl.lit(float(subject.grid)))
        )
        score = (h.round(0) / 100).round(2)
        scores.append(pl.when(taken).then(score).otherwise(None).alias(subject.code))
    rejects = pl.concat(found)
    accepted = frame.join(
        rejects.select(KEY).unique(), on=KEY, how="anti", nulls_equal=True
    ).select(*KEY, *CANDIDATE_COLUMNS, *scores)
    kept = pl.concat(warnings).join(accepted.select(KEY), on=KEY, how="semi", nulls_equal=True)
    return Checked(accepted, rejects, kept)


def check_registrations(rows: pl.DataFrame, schools: pl.Series) -> Checked:
    """Validate registration rows (candidate number, school code): ``accepted`` holds
    ``_sheet``, ``_row``, ``candidate_no``, ``school_code``; a school not among ``schools``
    (the registry's codes) is rejected."""
    frame = _with_columns(rows, ["candidate_no", "school_code"]).with_columns(
        pl.col("candidate_no").str.strip_chars(), pl.col("school_code").str.strip_chars()
    )
    sbd_ok = pl.col("candidate_no").str.contains(r"^\d{8}$").fill_null(False)
    rejects = pl.concat(
        [
            _issue(frame, ~sbd_ok, "candidate_no", "exam_candidate_no"),
            _issue(
                frame,
                ~pl.col("school_code").is_in(schools.implode()).fill_null(False),
                "school_code",
                "exam_unknown_school",
            ),
            _duplicates(frame, sbd_ok),
        ]
    )
    accepted = frame.join(rejects.select(KEY).unique(), on=KEY, how="anti", nulls_equal=True)
    empty = pl.DataFrame(schema=dict.fromkeys(ISSUE_COLUMNS, pl.String)).cast({"_row": pl.Int32})
    return Checked(accepted.select(*KEY, "candidate_no", "school_code"), rejects, empty)


def _with_columns(rows: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """The fields a file lacks, as blank columns (a results file without a language column)."""
    missing = [pl.lit(None, dtype=pl.String).alias(n) for n in names if n not in rows.columns]
    return rows.with_columns(missing) if missing else rows


def _duplicates(frame: pl.DataFrame, sbd_ok: pl.Expr) -> pl.DataFrame:
    """Every copy of a candidate number the file holds more than once."""
    over = "candidate_no"
    rows = pl.col("_row").cast(pl.String).implode().over(over).list.join(", ")
    return _issue(
        frame.with_columns(rows.alias("_rows"), pl.len().over(over).alias("_copies")),
        sbd_ok & (pl.col("_copies") > 1),
        "candidate_no",
        "exam_duplicate_candidate",
        rows=pl.col("_rows"),
    )


def _issue(
    frame: pl.DataFrame, broken: pl.Expr, field: str, rule: str, **values: pl.Expr
) -> pl.DataFrame:
    """The rows of ``frame`` where ``broken``, as issues of ``rule`` on ``field`` (the
    candidate number in ``params``: an exam issue names no school)."""
    detail = params(candidate_no=pl.col("candidate_no"), **values)
    return frame.filter(broken.fill_null(False)).select(
        pl.col("_sheet").cast(pl.String),
        pl.col("_row").cast(pl.Int32),
        pl.lit(None, dtype=pl.String).alias("school_code"),
        pl.lit(field).alias("field"),
        pl.lit(rule).alias("rule"),
        pl.col(field).cast(pl.String).alias("value"),
        detail,
    )
