"""The exam as data (``ioc/catalog/exams.yaml``) and its councils
(``ioc/catalog/exam_councils.yaml``), validated at load: the one home of what a subject, a
combination, a foreign language and an exam council are (docs/exams.md)."""

from __future__ import annotations

import functools
from decimal import Decimal

from pydantic import BaseModel, model_validator

from ioc.catalog import _load_yaml


class Subject(BaseModel):
    code: str
    vi: str
    en: str
    grid: Decimal  # the subject's usual score step: papers off it are kept and warned about
    headers: list[str]  # the column names it comes under (JSON keys, Vietnamese headers)


class Combination(BaseModel):
    code: str
    subjects: list[str]
    language: str | None = None  # a foreign-language paper counts only in this language


class Language(BaseModel):
    vi: str
    en: str


class Council(BaseModel):
    province: str  # GSO code of the old province (legacy scheme)
    name: str


class ExamCatalog(BaseModel):
    failing_max: Decimal
    spectrum_step: Decimal
    thresholds: list[Decimal]
    score_resolution: Decimal
    subjects: list[Subject]
    candidate_headers: dict[str, list[str]]
    registration_headers: dict[str, list[str]]
    foreign_languages: dict[str, Language]
    combinations: list[Combination]
    councils: dict[str, Council]

    @model_validator(mode="after")
    def _consistent(self) -> ExamCatalog:
        codes = {s.code for s in self.subjects}
        for combination in self.combinations:
            unknown = set(combination.subjects) - codes
            if unknown or len(combination.subjects) != 3:
                raise ValueError(f"combination {combination.code}: subjects {unknown or '≠ 3'}")
            if combination.language and combination.language not in self.foreign_languages:
                raise ValueError(f"combination {combination.code}: {combination.language}")
        provinces = [c.province for c in self.councils.values()]
        if len(set(provinces)) != len(provinces):
            raise ValueError("two exam councils for one province")
        return self

    def subject(self, code: str) -> Subject:
        return next(s for s in self.subjects if s.code == code)

    def province_of(self, council: str) -> str | None:
        """The old province (GSO code) of an exam council, None for an unknown council."""
        found = self.councils.get(council)
        return found.province if found else None


@functools.cache
def load_exam_catalog() -> ExamCatalog:
    data = _load_yaml("exams.yaml")
    data["councils"] = _load_yaml("exam_councils.yaml")["councils"]
    return ExamCatalog.model_validate(data)
