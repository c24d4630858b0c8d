"""Indicator and norm definitions (``indicators/*.yaml``, ``norms.yaml``) and the texts of
rules (``messages.yaml``), validated at load."""

from __future__ import annotations

import functools
import string
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, computed_field, model_validator

from ioc.catalog import CATALOG_DIR, Label, _load_yaml, load_contract, load_rules

Kind = Literal[
    "schools",  # count of schools with a return
    "sum",  # Σ numerator
    "ratio",  # Σ numerator / Σ denominator over schools where both are known
    "share_of_schools",  # schools whose flag is true (or count > 0) / schools where it is known
    "per_school",  # Σ numerator / schools where it is known
    "schools_above_norm",  # schools whose numerator/denominator exceeds ratio_norm / schools
    "shortfall",  # Σ max(0, ratio_norm × denominator − numerator)
    "completeness",  # schools with a return / schools expected
    "timeliness",  # returns received by the due date / schools expected
]
Direction = Literal["up", "down", "near", "info"]
# kinds whose value counts schools, people or classes: shown as whole numbers
COUNT_KINDS = ("schools", "sum", "shortfall")


class Scope(BaseModel):
    levels: list[str] | None = None
    ownership: list[str] | None = None
    terms: list[Literal["DN", "CN"]] | None = None


class Indicator(BaseModel):
    id: str
    family: str = ""
    vi: str
    en: str
    kind: Kind
    numerator: str | None = None
    denominator: str | None = None
    condition: Literal["positive"] | None = None
    ratio_norm: str | None = None
    factor: float = 1.0
    unit: Label
    direction: Direction
    norm: str | None = None
    scope: Scope = Field(default_factory=Scope)
    note: Label | None = None

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented form, mypy #1362
    @property
    def is_count(self) -> bool:
        """Its value counts schools, people or classes (a whole number, never '2,0')."""
        return self.kind in COUNT_KINDS

    @model_validator(mode="after")
    def _fields_fit_kind(self) -> Indicator:
        needs = {
            "sum": ("numerator",),
            "ratio": ("numerator", "denominator"),
            "share_of_schools": ("numerator",),
            "per_school": ("numerator",),
            "schools_above_norm": ("numerator", "denominator", "ratio_norm"),
            "shortfall": ("numerator", "denominator", "ratio_norm"),
        }.get(self.kind, ())
        for attr in needs:
            if getattr(self, attr) is None:
                raise ValueError(f"indicator {self.id}: kind {self.kind} needs {attr}")
        return self


class Family(BaseModel):
    id: str
    vi: str
    en: str


class NormRule(BaseModel):
    value: float
    source: str
    levels: list[str] | None = None
    ownership: list[str] | None = None
    school_types: list[str] | None = None
    area: list[str] | None = None
    full_day: bool | None = None
    valid_from: date | None = None
    valid_to: date | None = None


class Rounding(BaseModel):
    """How a norm times a school's denominator (e.g. 1,9 teachers per class × 14 classes =
    26,6) becomes a whole number of people before a shortfall is taken: ``nearest`` (a
    fraction of 0,5 or more counts as one more) or ``up`` (any fraction counts as one)."""

    rule: Literal["nearest", "up"]
    vi: str
    en: str
    source: str


class Norm(BaseModel):
    id: str
    comparison: Literal["max", "min", "near"]
    tolerance: float = 0.0
    rounding: Rounding | None = None  # per school, for shortfalls computed from the norm
    rules: list[NormRule]


class Norms(BaseModel):
    level_for_norms: dict[str, str]
    norms: list[Norm]

    @functools.cached_property
    def by_id(self) -> dict[str, Norm]:
        return {n.id: n for n in self.norms}


class Catalog(BaseModel):
    families: list[Family]
    indicators: list[Indicator]
    norms: Norms

    @functools.cached_property
    def by_id(self) -> dict[str, Indicator]:
        return {i.id: i for i in self.indicators}


@functools.cache
def load_norms() -> Norms:
    return Norms.model_validate(_load_yaml("norms.yaml"))


@functools.cache
def load_catalog() -> Catalog:
    """Every indicator family file, checked against the contract and the norms."""
    families, indicators = [], []
    for path in sorted((CATALOG_DIR / "indicators").glob("*.yaml")):
        data = _load_yaml(f"indicators/{path.name}")
        family = Family.model_validate(data["family"])
        families.append(family)
        for entry in data["indicators"]:
            try:
                indicators.append(Indicator.model_validate({**entry, "family": family.id}))
            except ValueError as exc:
                raise ValueError(f"indicators/{path.name}: {exc}") from exc
    catalog = Catalog(families=families, indicators=indicators, norms=load_norms())
    _check(catalog)
    return catalog


def _check_count(catalog: Catalog, ind: Indicator) -> None:
    """A count stays a whole number: a sum adds counts, a shortfall rounds by a stated rule.
    (_fields_fit_kind has made sure that a sum has its numerator, a shortfall its norm.)"""
    numerator, norm = ind.numerator or "", ind.ratio_norm or ""
    if ind.kind == "sum" and load_contract().by_name[numerator].type != "count":
        raise ValueError(f"indicator {ind.id}: a sum counts, its numerator must be a count")
    if ind.kind == "shortfall" and catalog.norms.by_id[norm].rounding is None:
        raise ValueError(f"indicator {ind.id}: a shortfall needs its norm's rounding rule")


def _check(catalog: Catalog) -> None:
    contract = load_contract()
    ids = [i.id for i in catalog.indicators]
    if len(ids) != len(set(ids)):
        raise ValueError("indicators: duplicated id")
    levels = set(contract.enums["level"])
    for ind in catalog.indicators:
        for attr in ("numerator", "denominator"):
            name = getattr(ind, attr)
            if name is not None and name not in contract.by_name:
                raise ValueError(f"indicator {ind.id}: {attr} {name!r} is not a contract field")
        for norm_id in (ind.norm, ind.ratio_norm):
            if norm_id is not None and norm_id not in catalog.norms.by_id:
                raise ValueError(f"indicator {ind.id}: unknown norm {norm_id!r}")
        if ind.scope.levels and not set(ind.scope.levels) <= levels:
            raise ValueError(f"indicator {ind.id}: unknown level in scope")
        _check_count(catalog, ind)
    for norm in catalog.norms.norms:
        for rule in norm.rules:
            if rule.levels and not set(rule.levels) <= levels:
                raise ValueError(f"norm {norm.id}: unknown level {rule.levels}")
            if rule.valid_from and rule.valid_to and rule.valid_from > rule.valid_to:
                raise ValueError(f"norm {norm.id}: valid_from after valid_to")


# -- what users read about rules (messages.yaml) -------------------------------------------
#: how a template may show a parameter (see messages.yaml)
FORMATS = ("", "field", "fields", "num", "scheme", "period", "part", "parts")


class RuleText(BaseModel):
    label: Label
    message: Label


class Messages(BaseModel):
    terms: dict[Literal["scheme"], dict[str, Label]]
    kinds: dict[Literal["parts_le_total", "requires_positive"], RuleText]
    rules: dict[str, RuleText]
    files: dict[str, Label] = {}  # why a whole file was not loaded, and run summaries
    parts: dict[str, Label] = {}  # pieces of file messages ({x:part}, {x:parts})
    sources: dict[str, Label] = {}  # pulls of sources and their API (docs/pulls.md)
    reviews: dict[str, Label] = {}  # review and approval (docs/approval.md)
    alert_conditions: dict[str, Label] = {}  # what an alert's rule found (docs/alerts.md)
    alerts: dict[str, Label] = {}  # alerts: the API's errors, export columns (docs/alerts.md)
    exam_api: dict[str, Label] = {}  # the exam routes' errors (docs/exams.md)


def placeholders(template: str) -> set[tuple[str, str]]:
    """(parameter, format) pairs of a template, e.g. {('field', 'field'), ('share', 'num')}."""
    return {
        (name, spec or "")
        for _, name, spec, _ in string.Formatter().parse(template)
        if name is not None
    }


@functools.cache
def load_messages() -> Messages:
    """Labels and message templates of every rule, checked: both languages of a text take
    the same parameters, in known formats; no rule is both a sum rule and a named one."""
    messages = Messages.model_validate(_load_yaml("messages.yaml"))
    texts = {**{f"kind {k}": v for k, v in messages.kinds.items()}, **messages.rules}
    parts = [(name, part) for name, text in texts.items() for part in (text.label, text.message)]
    parts += [(f"file {code}", text) for code, text in messages.files.items()]
    parts += [(f"part {code}", text) for code, text in messages.parts.items()]
    parts += [(f"source {code}", text) for code, text in messages.sources.items()]
    parts += [(f"review {code}", text) for code, text in messages.reviews.items()]
    parts += [(f"alert {code}", text) for code, text in messages.alert_conditions.items()]
    parts += [(f"alert {code}", text) for code, text in messages.alerts.items()]
    parts += [(f"exam_api {code}", text) for code, text in messages.exam_api.items()]
    for name, part in parts:
        vi, en = placeholders(part.vi), placeholders(part.en)
        if {p for p, _ in vi} != {p for p, _ in en}:
            raise ValueError(f"messages.yaml: {name}: vi and en take other parameters")
        bad = {f for _, f in vi | en} - set(FORMATS)
        if bad:
            raise ValueError(f"messages.yaml: {name}: unknown format {sorted(bad)}")
        if not part.vi.strip() or not part.en.strip():
            raise ValueError(f"messages.yaml: {name}: a text is blank")
    clash = {r.name for r in load_rules().rejects} & set(messages.rules)
    if clash:
        raise ValueError(f"messages.yaml: sum rules take their kind's texts: {sorted(clash)}")
    return messages
