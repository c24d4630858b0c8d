"""The catalog: the data contract, rules and (later) indicators, as validated data files."""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, model_validator

CATALOG_DIR = Path(__file__).resolve().parent

FieldType = Literal["text", "code", "enum", "count", "decimal", "flag"]


def normalize_label(text: str) -> str:
    """Header/label key: NFC, lower case, whitespace (incl. line breaks) collapsed."""
    text = unicodedata.normalize("NFC", str(text)).replace("\u00a0", " ")
    return " ".join(text.lower().split())


class Label(BaseModel):
    vi: str
    en: str


class ContractField(BaseModel):
    name: str
    vi: str
    en: str
    type: FieldType
    group: str
    required: Literal["always", "legacy", "unless_no_communes", "never"] = "never"
    width: int | None = None
    aliases: list[str] = Field(default_factory=list)

    def header_keys(self) -> set[str]:
        return {normalize_label(x) for x in (self.name, self.vi, self.en, *self.aliases)}


class SumRule(BaseModel):
    name: str
    parts: list[str] | None = None
    total: str | None = None
    requires_positive: dict[str, str] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> SumRule:
        if (self.parts is None) == (self.requires_positive is None):
            raise ValueError(f"rule {self.name}: give either parts/total or requires_positive")
        if self.parts is not None and self.total is None:
            raise ValueError(f"rule {self.name}: parts need a total")
        return self


class ClassSizeWarning(BaseModel):
    factor: float
    norm_by_level: dict[str, int]


class PeriodChangeWarning(BaseModel):
    max_share: float
    fields: list[str]


class Warnings(BaseModel):
    class_size_over_norm: ClassSizeWarning
    period_change: PeriodChangeWarning


class OutlierRatio(BaseModel):
    id: str
    numerator: str
    denominator: str
    vi: str
    en: str


class QualityRules(BaseModel):
    due: dict[Literal["DN", "CN"], str]
    jump_share: float
    jump_fields: list[str]
    robust_z: float
    outlier_ratios: list[OutlierRatio]
    large_school_students: int
    score_weights: dict[Literal["completeness", "timeliness", "clean"], float]


class Rules(BaseModel):
    rejects: list[SumRule]
    warnings: Warnings
    quality: QualityRules


class Contract(BaseModel):
    groups: dict[str, Label]
    enums: dict[str, dict[str, list[str]]]
    fields: list[ContractField]
    flag_values: dict[bool, list[str]]

    @model_validator(mode="after")
    def _consistent(self) -> Contract:
        names = [f.name for f in self.fields]
        if len(names) != len(set(names)):
            raise ValueError("fields.yaml: duplicated field name")
        seen: dict[str, str] = {}
        for f in self.fields:
            if f.group not in self.groups:
                raise ValueError(f"fields.yaml: field {f.name} has unknown group {f.group}")
            if f.type == "enum" and f.name not in self.enums:
                raise ValueError(f"fields.yaml: enum field {f.name} has no values in enums")
            for key in f.header_keys():
                if seen.setdefault(key, f.name) != f.name:
                    raise ValueError(f"fields.yaml: header {key!r} names {seen[key]} and {f.name}")
        return self

    def field(self, name: str) -> ContractField:
        return self.by_name[name]

    @functools.cached_property
    def by_name(self) -> dict[str, ContractField]:
        return {f.name: f for f in self.fields}

    def names_of(self, *types: FieldType) -> list[str]:
        return [f.name for f in self.fields if f.type in types]

    def header_index(self) -> dict[str, str]:
        """Normalised header text -> canonical field name."""
        return {key: f.name for f in self.fields for key in f.header_keys()}

    def enum_index(self, name: str) -> dict[str, str]:
        """Normalised code or label -> code, for one enum field."""
        index: dict[str, str] = {}
        for code, labels in self.enums[name].items():
            for text in (code, *labels):
                index[normalize_label(text)] = code
        return index


def _load_yaml(name: str) -> dict[str, Any]:
    with (CATALOG_DIR / name).open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@functools.cache
def load_contract() -> Contract:
    return Contract.model_validate(_load_yaml("fields.yaml"))


@functools.cache
def load_rules() -> Rules:
    rules = Rules.model_validate(_load_yaml("rules.yaml"))
    known = set(load_contract().names_of("count"))
    for rule in rules.rejects:
        used = [*(rule.parts or []), *([rule.total] if rule.total else [])]
        used += list((rule.requires_positive or {}).values())
        for name in used:
            if name not in known:
                raise ValueError(f"rules.yaml: rule {rule.name} names {name}, not a count field")
    return rules
