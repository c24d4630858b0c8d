"""The row rules of exam results and registrations (docs/exams.md "Ingest"), pure functions
over a frame of text cells (:mod:`ingest.exams.read`): which rows are accepted, which are
rejected (one record per broken rule, with the cell's text and the message's parameters)
and which carry warnings. Nothing here touches a database.

A score is text until checked: -1 or blank is a paper not taken; anything else must be a
number from 0 to 10 in steps of 0.01 at most (``score_resolution``). Scores are compared in
hundredths (integers), so 6.35 is on the 0.05 grid whatever its binary float is.

Every rule is a flag column computed in one pass over the rows (a national year is over a
million candidates); the issue records are then built from the few flagged rows only.
"""

from __future__ import annotations

import dataclasses

import polars as pl

from ioc.catalog.messages import ISSUE_COLUMNS, params
from ioc.exams.catalog import ExamCatalog
from ioc.returns.validate import Checked

KEY = ["_sheet", "_row"]
NOT_TAKEN = -1
#: the columns of an accepted candidate besides its scores (one Float64 column per subject)
CANDIDATE_COLUMNS = ["candidate_no", "council_code", "province_code_legacy", "foreign_language"]
EPSILON = 1e-6  # a float's error on a score of two decimals, in hundredths


@dataclasses.dataclass(frozen=True)
class Rule:
    """A rule broken where ``broken``: an issue of ``rule`` on ``field``, with ``values`` in
    its message's parameters besides the candidate number."""

    field: str
    rule: str
    broken: pl.Expr
    values: dict[str, pl.Expr] = dataclasses.field(default_factory=dict)

    @property
    def flag(self) -> str:
        """The boolean column of the rows that break it."""
        return f"_broken__{self.field}__{self.rule}"


def check_results(rows: pl.DataFrame, catalog: ExamCatalog) -> Checked:
    """Validate candidates' rows: ``accepted`` holds ``_sheet``, ``_row``,
    :data:`CANDIDATE_COLUMNS` and one Float64 column per subject of the catalog (null: paper
    not taken); ``rejects`` and ``warnings`` are issue frames (``ISSUE_COLUMNS``)."""
    subjects = [s.code for s in catalog.subjects]
    rows = _with_columns(rows, ["candidate_no", "council", "foreign_language", *subjects])
    councils = pl.LazyFrame(
        {
            "council_code": list(catalog.councils),
            "province_code_legacy": [c.province for c in catalog.councils.values()],
        }
    )
    frame = (
        rows.lazy()
        .with_columns(
            pl.col("candidate_no").str.strip_chars(),
            pl.col("foreign_language").str.strip_chars().str.to_uppercase(),
            pl.col("candidate_no").str.strip_chars().str.slice(0, 2).alias("council_code"),
        )
        .join(councils, on="council_code", how="left", maintain_order="left")
        .pipe(_with_hundredths, subjects, _with_commas(rows, subjects))
    )
    sbd_ok = pl.col("candidate_no").str.contains(r"^\d{8}$").fill_null(False)
    council = pl.col("council").str.strip_chars()
    council_text = pl.when(council.str.contains(r"^\d$")).then("0" + council).otherwise(council)
    rejects = [
        Rule("candidate_no", "exam_candidate_no", ~sbd_ok),
        Rule(
            "candidate_no",
            "exam_unknown_council",
            sbd_ok & pl.col("province_code_legacy").is_null(),
            {"council": pl.col("council_code")},
        ),
        Rule(
            "council",
            "exam_council_mismatch",
            sbd_ok & council.is_not_null() & (council_text != pl.col("council_code")),
            {"expected": pl.col("council_code")},
        ),
        Rule(
            "foreign_language",
            "exam_unknown_language",
            pl.col("foreign_language").is_not_null()
            & ~pl.col("foreign_language").is_in(list(catalog.foreign_languages)),
        ),
        _duplicated(sbd_ok),
    ]
    warnings = []
    scores = []
    for subject in catalog.subjects:
        h, taken = pl.col(f"_h_{subject.code}"), pl.col(f"_t_{subject.code}")
        on_resolution = (h - h.round(0)).abs() < EPSILON
        in_range = (h >= -EPSILON) & (h <= 1000 + EPSILON)
        resolution = {"resolution": pl.lit(float(catalog.score_resolution))}
        rejects += [
            Rule(subject.code, "not_a_number", taken & h.is_null()),
            Rule(subject.code, "exam_score_range", taken & ~in_range),
            Rule(
                subject.code, "exam_score_resolution", taken & in_range & ~on_resolution, resolution
            ),
        ]
        grid = int(subject.grid * 100)
        off_grid = taken & in_range & on_resolution & (h.round(0).cast(pl.Int64) % grid != 0)
        warnings.append(
            Rule(subject.code, "exam_off_grid", off_grid, {"grid": pl.lit(float(subject.grid))})
        )
        score = pl.when(taken).then((h.round(0) / 100).round(2))
        scores.append(score.alias(subject.code))
    flagged = _flag(frame, rejects, warnings).lazy()
    rejected = pl.any_horizontal(_flags(rejects))
    warned = ~rejected & pl.any_horizontal(_flags(warnings))
    return Checked(
        flagged.filter(~rejected).select(*KEY, *CANDIDATE_COLUMNS, *scores).collect(),
        _issues(_with_duplicate_rows(flagged.filter(rejected).collect()), rejects),
        _issues(flagged.filter(warned).collect(), warnings),
    )


def check_registrations(rows: pl.DataFrame, schools: pl.Series) -> Checked:
    """Validate registration rows (candidate number, school code): ``accepted`` holds
    ``_sheet``, ``_row``, ``candidate_no``, ``school_code``; a school not among ``schools``
    (the registry's codes) is rejected."""
    frame = (
        _with_columns(rows, ["candidate_no", "school_code"])
        .lazy()
        .with_columns(
            pl.col("candidate_no").str.strip_chars(), pl.col("school_code").str.strip_chars()
        )
    )
    sbd_ok = pl.col("candidate_no").str.contains(r"^\d{8}$").fill_null(False)
    rules = [
        Rule("candidate_no", "exam_candidate_no", ~sbd_ok),
        Rule(
            "school_code",
            "exam_unknown_school",
            ~pl.col("school_code").is_in(schools.implode()).fill_null(False),
        ),
        _duplicated(sbd_ok),
    ]
    flagged = _flag(frame, rules, []).lazy()
    rejected = pl.any_horizontal(_flags(rules))
    rejects = _issues(_with_duplicate_rows(flagged.filter(rejected).collect()), rules)
    accepted = flagged.filter(~rejected).select(*KEY, "candidate_no", "school_code").collect()
    empty = pl.DataFrame(schema=dict.fromkeys(ISSUE_COLUMNS, pl.String)).cast({"_row": pl.Int32})
    return Checked(accepted, rejects, empty)


def _with_columns(rows: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """The fields a file lacks, as blank columns (a results file without a language column)."""
    missing = [pl.lit(None, dtype=pl.String).alias(n) for n in names if n not in rows.columns]
    return rows.with_columns(missing) if missing else rows


def _with_commas(rows: pl.DataFrame, subjects: list[str]) -> set[str]:
    """The subjects whose scores are written with a decimal comma somewhere (6,35): only
    their texts are rewritten (few files have any; a national year's files have none)."""
    return {s for s in subjects if rows[s].str.contains(",", literal=True).any()}


def _with_hundredths(frame: pl.LazyFrame, subjects: list[str], commas: set[str]) -> pl.LazyFrame:
    """Each score's text as a number of hundredths (``_h_``; null when it is not a number)
    and whether the paper was taken (``_t_``: not blank, not -1), in steps that compute each
    of them once. ``commas``: the subjects whose texts may hold a decimal comma."""
    text = {s: pl.col(f"_s_{s}") for s in subjects}
    hundredths = {s: pl.col(f"_h_{s}") for s in subjects}
    stripped = {s: pl.col(s).str.strip_chars() for s in subjects}
    return (
        frame.with_columns(
            (stripped[s].str.replace(",", ".", literal=True) if s in commas else stripped[s]).alias(
                f"_s_{s}"
            )
            for s in subjects
        )
        .with_columns(
            (text[s].cast(pl.Float64, strict=False) * 100).alias(f"_h_{s}") for s in subjects
        )
        .with_columns(
            ((text[s] != "") & (hundredths[s] != NOT_TAKEN * 100).fill_null(True))
            .fill_null(False)  # blank: paper not taken
            .alias(f"_t_{s}")
            for s in subjects
        )
        .drop(f"_s_{s}" for s in subjects)
    )


def _duplicated(sbd_ok: pl.Expr) -> Rule:
    """Every copy of a candidate number the file holds more than once (the rows it is on:
    ``_rows``, added by :func:`_with_duplicate_rows`)."""
    broken = sbd_ok & pl.col("candidate_no").is_duplicated()
    return Rule("candidate_no", "exam_duplicate_candidate", broken, {"rows": pl.col("_rows")})


def _with_duplicate_rows(bad: pl.DataFrame) -> pl.DataFrame:
    """The rejected rows with ``_rows``, the rows a candidate number is on: every copy of a
    duplicated number is among them."""
    rows = pl.col("_row").cast(pl.String).implode().over("candidate_no").list.join(", ")
    return bad.with_columns(rows.alias("_rows"))


def _flags(rules: list[Rule]) -> list[pl.Expr]:
    return [pl.col(r.flag) for r in rules]


def _flag(frame: pl.LazyFrame, rejects: list[Rule], warnings: list[Rule]) -> pl.DataFrame:
    """The rows with one boolean column per rule."""
    rules = [*rejects, *warnings]
    return frame.with_columns(r.broken.fill_null(False).alias(r.flag) for r in rules).collect()


def _issues(flagged: pl.DataFrame, rules: list[Rule]) -> pl.DataFrame:
    """The issues of ``rules`` in the flagged rows, rule by rule (the candidate number in
    ``params``: an exam issue names no school). Only the rules some row breaks are read (a
    file breaks few of its sixty rules; an empty frame keeps the first rule's columns)."""
    broken = [r for r in rules if flagged.height and flagged[r.flag].any()]
    return pl.concat(
        [
            flagged.filter(pl.col(r.flag)).select(
                pl.col("_sheet").cast(pl.String),
                pl.col("_row").cast(pl.Int32),
                pl.lit(None, dtype=pl.String).alias("school_code"),
                pl.lit(r.field).alias("field"),
                pl.lit(r.rule).alias("rule"),
                pl.col(r.field).cast(pl.String).alias("value"),
                params(candidate_no=pl.col("candidate_no"), **r.values),
            )
            for r in broken or rules[:1]
        ]
    )
