"""A reporting period: a school year and a term, written ``2024-2025/DN``.

The one parser and formatter of periods (data contract: ``../shared/spec/school-return.md``).
A school year is two consecutive calendar years from 2000-2001 to 2099-2100; the term is
``DN`` (đầu năm, the autumn census, as at 30 September of the first year) or ``CN`` (cuối
năm, the end of the year, as at 31 May of the second year). The date a period stands for
places it on either side of the 1 July 2025 reorganisation of administrative units, so it
says which unit scheme its codes use. Pure: no database, no I/O but the message catalog's
text of the one error.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

import polars as pl

from ioc.catalog.definitions import load_messages

Term = Literal["DN", "CN"]
Scheme = Literal["legacy", "2025"]
Lang = Literal["vi", "en"]

TERMS: Final[tuple[Term, ...]] = ("DN", "CN")  # in their order within a school year
#: the columns of a table that hold a period
PERIOD_COLUMNS: Final = ("school_year", "term")
#: the reorganisation of administrative units: periods dated on or after it use the 2025 units
REFORM_DATE: Final = date(2025, 7, 1)
FIRST_YEAR, LAST_YEAR = 2000, 2099  # first calendar years of the first and last school years
#: (month, day) a term stands for, and whether it falls in the school year's second year
_TERM_DAY: Final[dict[str, tuple[int, int, int]]] = {"DN": (0, 9, 30), "CN": (1, 5, 31)}
SCHOOL_YEARS: Final = tuple(f"{y}-{y + 1}" for y in range(FIRST_YEAR, LAST_YEAR + 1))
#: the pattern of a period as the API and the forms accept it (upper case, no spaces): every
#: school year spelt out, so it says exactly which periods exist (the API documents it as
#: is; a regular expression cannot say "the next year")
PATTERN: Final = f"^({'|'.join(SCHOOL_YEARS)})/({'|'.join(TERMS)})$"
SCHOOL_YEAR_PATTERN: Final = f"^({'|'.join(SCHOOL_YEARS)})$"  # a school year alone
#: the term's name, and its short form on narrow axes and headers
TERM_NAMES: Final[dict[str, dict[str, str]]] = {
    "DN": {"vi": "Đầu năm", "en": "Start of year"},
    "CN": {"vi": "Cuối năm", "en": "End of year"},
}
TERM_SHORT: Final[dict[str, dict[str, str]]] = {
    "DN": {"vi": "ĐN", "en": "start"},
    "CN": {"vi": "CN", "en": "end"},
}


class InvalidPeriod(ValueError):
    """Text that is not a period; its message, in either language, comes from the catalog
    (``files.invalid_period`` of ``ioc/catalog/messages.yaml``)."""

    def __init__(self, value: object) -> None:
        self.value = str(value)
        super().__init__(self.text("en"))

    def text(self, lang: str) -> str:
        template = getattr(load_messages().files["invalid_period"], _lang(lang))
        return str(template.format(value=self.value, first=FIRST_YEAR, last=LAST_YEAR + 1))


def term_name(term: str, lang: str) -> str:
    """'Đầu năm' / 'Start of year' (the code itself if it is not a term); Vietnamese unless
    ``lang`` is 'en'."""
    names = TERM_NAMES.get(term)
    return names[_lang(lang)] if names else term


def _lang(lang: str) -> Lang:
    return "en" if lang == "en" else "vi"


@functools.total_ordering
@dataclass(frozen=True, slots=True)
class Period:
    """School year ``first_year``-``first_year + 1``, term ``term``; ordered in time."""

    first_year: int
    term: Term

    def __post_init__(self) -> None:
        if not FIRST_YEAR <= self.first_year <= LAST_YEAR or self.term not in TERMS:
            raise InvalidPeriod(f"{self.first_year}-{self.first_year + 1}/{self.term}")

    # -- parsing ----------------------------------------------------------------------------
    @classmethod
    def parse(cls, text: str) -> Period:
        """The period of '2024-2025/DN' (spaces around it and the case of the term ignored);
        :class:`InvalidPeriod` (a ValueError) for anything else."""
        school_year, slash, term = str(text).strip().upper().partition("/")
        if not slash:
            raise InvalidPeriod(text)
        try:
            return cls.of(school_year, term)
        except InvalidPeriod:
            raise InvalidPeriod(text) from None

    @classmethod
    def of(cls, school_year: str, term: str) -> Period:
        """The period of a school year ('2024-2025') and a term ('DN') held apart."""
        first, dash, second = school_year.strip().partition("-")
        term = term.strip().upper()
        if (
            not dash
            or not (len(first) == len(second) == 4 and first.isdigit() and second.isdigit())
            or not first.isascii()
            or not second.isascii()
            or int(second) != int(first) + 1
            or term not in TERMS
        ):
            raise InvalidPeriod(f"{school_year}/{term}")
        return cls(int(first), term)

    @classmethod
    def maybe(cls, text: str | None) -> Period | None:
        """The period of ``text``, or None when there is none (a blank or invalid value)."""
        try:
            return cls.parse(text) if text else None
        except InvalidPeriod:
            return None

    @classmethod
    def is_valid(cls, text: str) -> bool:
        try:
            cls.parse(text)
        except InvalidPeriod:
            return False
        return True

    # -- what it stands for -----------------------------------------------------------------
    @property
    def school_year(self) -> str:
        """'2024-2025'."""
        return f"{self.first_year}-{self.first_year + 1}"

    @property
    def date(self) -> date:
        """30 September of the first year (DN) or 31 May of the second year (CN)."""
        offset, month, day = _TERM_DAY[self.term]
        return date(self.first_year + offset, month, day)

    @property
    def scheme(self) -> Scheme:
        """'legacy' if the period is dated before 1 July 2025, else '2025'."""
        return "legacy" if self.date < REFORM_DATE else "2025"

    @property
    def previous_same_term(self) -> Period:
        """The same term of the school year before (what a year-on-year change compares)."""
        return Period(self.first_year - 1, self.term)

    @property
    def crosses_reform(self) -> bool:
        """Its scheme differs from the one of the same term a year before."""
        return self.first_year > FIRST_YEAR and self.previous_same_term.scheme != self.scheme

    @property
    def order(self) -> int:
        """A number that grows with time, two per school year (SQL ``period_order``)."""
        return self.first_year * 2 + TERMS.index(self.term)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return self.order < other.order

    # -- text --------------------------------------------------------------------------------
    def __str__(self) -> str:
        """'2024-2025/DN': how a period is written in files, URLs and options."""
        return f"{self.school_year}/{self.term}"

    @property
    def short_year(self) -> str:
        """'2024-25': the school year on a narrow axis."""
        return f"{self.first_year}-{(self.first_year + 1) % 100:02d}"

    def label(self, lang: str) -> str:
        """'2024-2025 · Đầu năm': the period in a menu or a screen's heading."""
        return f"{self.school_year} · {term_name(self.term, lang)}"

    def short_label(self, lang: str) -> str:
        """'2024-2025 ĐN': a point of a chart across periods."""
        return f"{self.school_year} {TERM_SHORT[self.term][_lang(lang)]}"

    def column_label(self, lang: str) -> str:
        """'2024-25 ĐN': a period as a narrow column header."""
        return f"{self.short_year} {TERM_SHORT[self.term][_lang(lang)]}"

    def message_label(self, lang: str) -> str:
        """'2024-2025, đầu năm': a period inside a sentence."""
        return f"{self.school_year}, {term_name(self.term, lang).lower()}"

    def title_vi(self) -> str:
        """'Đầu năm học 2025-2026': a report's title."""
        return f"{term_name(self.term, 'vi')} học {self.school_year}"

    def bilingual(self) -> str:
        """'2025-2026 Đầu năm / Start of year (2025-2026/DN)': a report's cover."""
        names = TERM_NAMES[self.term]
        return f"{self.school_year} {names['vi']} / {names['en']} ({self})"


# -- the same rules on columns ----------------------------------------------------------------


def first_year_expr(school_year: str = "school_year") -> pl.Expr:
    """The first calendar year of a school-year column (null if it does not start with one)."""
    return pl.col(school_year).str.slice(0, 4).cast(pl.Int32, strict=False)


def is_school_year_expr(school_year: str = "school_year") -> pl.Expr:
    """Whether a column holds a school year :meth:`Period.of` accepts."""
    return pl.col(school_year).is_in(SCHOOL_YEARS)


def _date(first: pl.Expr, term: pl.Expr) -> pl.Expr:
    expr = pl.lit(None, pl.Date)
    for code, (offset, month, day) in _TERM_DAY.items():
        expr = pl.when(term == code).then(pl.date(first + offset, month, day)).otherwise(expr)
    return expr


def _scheme(first: pl.Expr, term: pl.Expr) -> pl.Expr:
    return (
        pl.when(_date(first, term) >= REFORM_DATE).then(pl.lit("2025")).otherwise(pl.lit("legacy"))
    )


def date_expr(school_year: str = "school_year", term: str = "term") -> pl.Expr:
    """:attr:`Period.date` of two columns (null for a term that is not one)."""
    return _date(first_year_expr(school_year), pl.col(term))


def scheme_expr(school_year: str = "school_year", term: str = "term") -> pl.Expr:
    """:attr:`Period.scheme` of two columns ('legacy' when the period is not known)."""
    return _scheme(first_year_expr(school_year), pl.col(term))


def crosses_reform_expr(school_year: str = "school_year", term: str = "term") -> pl.Expr:
    """:attr:`Period.crosses_reform` of two columns."""
    first = first_year_expr(school_year)
    return _scheme(first, pl.col(term)) != _scheme(first - 1, pl.col(term))


def next_year_expr(school_year: str = "school_year") -> pl.Expr:
    """The school year after a school-year column (where its value is the previous one)."""
    first = first_year_expr(school_year)
    return pl.format("{}-{}", first + 1, first + 2)
