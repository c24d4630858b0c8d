"""The reporting period (ioc/domain/period.py): parsing and formatting, dates and schemes on
either side of 1 July 2025, order, the previous same term, labels, the Polars and SQL forms
of the same rules, and that no other module parses periods its own way."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ioc.domain.period import (
    FIRST_YEAR,
    LAST_YEAR,
    PATTERN,
    REFORM_DATE,
    TERMS,
    InvalidPeriod,
    Period,
    crosses_reform_expr,
    date_expr,
    is_school_year_expr,
    next_year_expr,
    scheme_expr,
)

ROOT = Path(__file__).resolve().parents[2]
periods = st.builds(Period, st.integers(FIRST_YEAR, LAST_YEAR), st.sampled_from(TERMS))


@pytest.mark.parametrize(
    ("school_year", "term", "expected_date", "scheme"),
    [
        ("2024-2025", "DN", date(2024, 9, 30), "legacy"),
        ("2024-2025", "CN", date(2025, 5, 31), "legacy"),
        ("2025-2026", "DN", date(2025, 9, 30), "2025"),
        ("2025-2026", "CN", date(2026, 5, 31), "2025"),
        ("2019-2020", "CN", date(2020, 5, 31), "legacy"),
    ],
)
def test_periods(school_year: str, term: str, expected_date: date, scheme: str) -> None:
    assert Period.of(school_year, term).date == expected_date
    assert Period.of(school_year, term).scheme == scheme


@pytest.mark.parametrize(
    ("school_year", "term"),
    [("2024-2026", "DN"), ("2024/2025", "DN"), ("2024", "CN"), ("2024-2025", "GK")],
)
def test_bad_periods(school_year: str, term: str) -> None:
    with pytest.raises(ValueError):
        Period.of(school_year, term)


@given(periods)
def test_parse_and_format_round_trip(period: Period) -> None:
    text = str(period)
    assert re.fullmatch(PATTERN, text)
    assert Period.parse(text) == period
    assert Period.parse(f"  {text.lower()} ") == period  # spaces and case are forgiven
    assert Period.of(period.school_year, period.term) == period


@given(st.text(max_size=14))
def test_the_parser_accepts_exactly_the_pattern(text: str) -> None:
    assert Period.is_valid(text) == bool(re.fullmatch(PATTERN, text.strip().upper()))


@pytest.mark.parametrize(
    "text", ["2024-2026/DN", "1999-2000/DN", "2100-2101/DN", "2024-2025/XX", "2024-2025", ""]
)
def test_one_message_for_an_invalid_period_in_both_languages(text: str) -> None:
    with pytest.raises(InvalidPeriod) as caught:
        Period.parse(text)
    assert str(caught.value) == (
        f"period '{text}' must look like 2024-2025/DN or 2024-2025/CN (two consecutive years "
        "from 2000 to 2100)"
    )
    assert caught.value.text("vi").startswith(f"kỳ báo cáo '{text}' không hợp lệ")


@given(periods, periods)
def test_order_is_time(a: Period, b: Period) -> None:
    assert (a < b) == (a.date < b.date)
    assert (a < b) == (a.order < b.order)
    assert sorted([a, b]) == sorted([b, a])


@given(periods)
def test_previous_same_term(period: Period) -> None:
    if period.first_year == FIRST_YEAR:
        with pytest.raises(InvalidPeriod):
            _ = period.previous_same_term
        return
    before = period.previous_same_term
    assert before.term == period.term and before < period
    assert (period.date - before.date).days in (365, 366)
    assert before.school_year == f"{period.first_year - 1}-{period.first_year}"


@given(periods)
def test_the_scheme_is_the_side_of_1_july_2025(period: Period) -> None:
    assert period.scheme == ("legacy" if period.date < REFORM_DATE else "2025")
    assert period.scheme == ("2025" if period.first_year >= 2025 else "legacy")
    assert period.crosses_reform == (period.school_year == "2025-2026")


def test_labels_keep_the_texts_users_see() -> None:
    dn, cn = Period.parse("2024-2025/DN"), Period.parse("2025-2026/CN")
    assert dn.label("vi") == "2024-2025 · Đầu năm" and dn.label("en") == "2024-2025 · Start of year"
    assert dn.short_label("vi") == "2024-2025 ĐN" and cn.short_label("en") == "2025-2026 end"
    assert dn.column_label("vi") == "2024-25 ĐN" and cn.short_year == "2025-26"
    assert dn.message_label("vi") == "2024-2025, đầu năm"
    assert cn.message_label("en") == "2025-2026, end of year"
    assert cn.title_vi() == "Cuối năm học 2025-2026"
    assert cn.bilingual() == "2025-2026 Cuối năm / End of year (2025-2026/CN)"


@given(st.lists(periods, min_size=1, max_size=20))
def test_the_column_expressions_are_the_same_rules(found: list[Period]) -> None:
    frame = pl.DataFrame(
        {"school_year": [p.school_year for p in found], "term": [p.term for p in found]}
    ).with_columns(
        date_expr().alias("date"),
        scheme_expr().alias("scheme"),
        crosses_reform_expr().alias("crosses"),
        next_year_expr().alias("next"),
        is_school_year_expr().alias("ok"),
    )
    assert frame["date"].to_list() == [p.date for p in found]
    assert frame["scheme"].to_list() == [p.scheme for p in found]
    assert frame["crosses"].to_list() == [p.crosses_reform for p in found]
    assert frame["next"].to_list() == [f"{p.first_year + 1}-{p.first_year + 2}" for p in found]
    assert frame["ok"].all()


def test_the_sql_macros_are_the_same_rules() -> None:
    conn = duckdb.connect()
    for name in ("61_macro_period_first_year.sql", "62_macro_period_order.sql"):
        conn.execute((ROOT / "sql" / "schema" / name).read_text(encoding="utf-8"))
    every = [Period(y, t) for y in range(FIRST_YEAR, LAST_YEAR + 1) for t in TERMS]
    conn.execute("create table p (school_year varchar, term varchar)")
    conn.executemany("insert into p values (?, ?)", [(p.school_year, p.term) for p in every])
    rows = conn.execute(
        "select period_first_year(school_year), period_order(school_year, term) from p"
    ).fetchall()
    assert rows == [(p.first_year, p.order) for p in every]


# -- one home: nobody else parses a period ---------------------------------------------------
#: a regular expression of a school year or period, a split on '/' of a period-like value,
#: a slice of a school year, or the reform date written out
FORBIDDEN = re.compile(
    r"""\\d\{4\}-\\d\{4\}               # a school-year regex
    | (period|school_year|year)\w*\)?\s*(or\s*"[^"]*"\)?)?\s*\.(r?split|partition)\("/"\)
    | \.(r?split|partition)\("/"\)\[                        # split then index
    | (school_year|year)\[(:4|7:9|5:|0:4)\]                 # slicing a school year
    | date\(2025,\s*7,\s*1\)                                # the reform date
    """,
    re.VERBOSE,
)
HOME = ROOT / "ioc" / "domain" / "period.py"
# where '/' is split for something else than a period (a folder path; a URL)
NOT_PERIODS = {ROOT / "ioc" / "reports" / "spec.py"}


def test_no_period_is_parsed_outside_its_home() -> None:
    found = []
    for package in ("ioc", "ingest", "dashboards"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == HOME or path in NOT_PERIODS:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if FORBIDDEN.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "parse periods with ioc.domain.period.Period:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "line",
    [
        'year, term = period.split("/")',
        'term = (snap.get("period") or "/").split("/")[1]',
        'school_year = (page.view.period or "").split("/")[0]',
        'PERIOD = re.compile(r"^(latest|\\d{4}-\\d{4}/(DN|CN))$")',
        "first = int(school_year[:4])",
        "BREAK = date(2025, 7, 1)",
    ],
)
def test_the_guard_sees_the_old_ways(line: str) -> None:
    assert FORBIDDEN.search(line)
