"""Rule labels and messages in Vietnamese and English, made from the catalog when shown.

A rejected row, an ingest warning or a data-quality finding is stored with its rule code,
its field, its value and its parameters (a JSON object in ``params``, built with
:func:`params`); the texts come from ``messages.yaml`` (and, for the sum rules of
``rules.yaml``, from their kind) in the language asked for. :func:`describe` adds to a list
``rule_label_vi/en``, ``field_label_vi/en`` and ``message_vi/en`` (``message`` is the English
one); :func:`localise` makes an export in one language show labels instead of codes.
"""

from __future__ import annotations

import functools
import json
import string
from collections.abc import Mapping
from typing import Any, Literal

import polars as pl

from ioc.catalog import load_contract, load_rules
from ioc.catalog.definitions import RuleText, load_messages
from ioc.domain.period import TERM_NAMES, InvalidPeriod, Period
from ioc.exams.catalog import load_exam_catalog

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")
WARNING = "warning:"  # findings lists prefix the rules of ingest warnings with it
ISSUE_COLUMNS = ["_sheet", "_row", "school_code", "field", "rule", "value", "params"]
#: the label columns :func:`describe` adds, by the column they describe
LABELLED = (("rule", "rule_label"), ("field", "field_label"), ("message", "message"))


def params(**values: pl.Expr | str | float | None) -> pl.Expr:
    """A finding's parameters as a JSON object column ``params``."""
    exprs = [v if isinstance(v, pl.Expr) else pl.lit(v) for v in values.values()]
    return (
        pl.struct([e.alias(k) for k, e in zip(values, exprs, strict=True)])
        .struct.json_encode()
        .alias("params")
    )


@functools.cache
def _field_labels() -> dict[str, dict[str, str]]:
    labels = {f.name: {"vi": f.vi, "en": f.en} for f in load_contract().fields}
    for ratio in load_rules().quality.outlier_ratios:
        labels[ratio.id] = {"vi": ratio.vi, "en": ratio.en}
    for subject in load_exam_catalog().subjects:  # the papers of exam results (issue 20)
        labels[subject.code] = {"vi": subject.vi, "en": subject.en}
    return labels


def field_label(name: str | None, lang: Lang) -> str | None:
    """The label of a contract field, an outlier ratio or an exam subject (its name when the
    catalog has none)."""
    if name is None:
        return None
    entry = _field_labels().get(name)
    return entry[lang] if entry else name


@functools.cache
def _rule_texts() -> dict[str, tuple[RuleText, dict[str, Any]]]:
    """Every rule code -> its texts and the parameters its definition gives them."""
    messages = load_messages()
    texts: dict[str, tuple[RuleText, dict[str, Any]]] = {
        code: (text, {}) for code, text in messages.rules.items()
    }
    for rule in load_rules().rejects:
        if rule.parts is not None:
            texts[rule.name] = (
                messages.kinds["parts_le_total"],
                {"parts": rule.parts, "total": rule.total},
            )
        else:
            cond = rule.requires_positive or {}
            texts[rule.name] = (
                messages.kinds["requires_positive"],
                {"if": cond["if_positive"], "then": cond["then_positive"]},
            )
    return texts


def rule_codes() -> set[str]:
    """Every rule code the catalog has texts for."""
    return set(_rule_texts())


def _number(value: Any, lang: Lang) -> str:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    whole = number.is_integer()
    text = f"{int(number):,}" if whole else f"{number:,.2f}".rstrip("0").rstrip(".")
    return text.translate(str.maketrans(",.", ".,")) if lang == "vi" else text


class _Formatter(string.Formatter):
    """``str.format`` with the formats of messages.yaml (``{x:field}``, ``{x:num}``...)."""

    def __init__(self, lang: Lang) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        lang, terms = self.lang, load_messages().terms
        if value is None:
            return "—"
        if format_spec == "field":
            return field_label(str(value), lang) or "—"
        if format_spec == "fields":
            return " + ".join(field_label(str(v), lang) or "—" for v in value)
        if format_spec == "num":
            return _number(value, lang)
        if format_spec == "scheme":
            label = terms["scheme"].get(str(value))
            return getattr(label, lang) if label else str(value)
        if format_spec == "part":
            return self.part(value)
        if format_spec == "parts":
            return "; ".join(self.part(v) for v in value)
        if format_spec == "period":
            try:
                return Period.parse(str(value)).message_label(lang)
            except InvalidPeriod:
                return str(value)
        return str(value)

    def part(self, value: Mapping[str, Any]) -> str:
        """An object ``{"part": name, **params}``: the text of ``parts[name]``, filled."""
        args = {k: v for k, v in value.items() if k != "part"}
        return self.vformat(getattr(load_messages().parts[value["part"]], self.lang), (), args)


FORMATTERS = {lang: _Formatter(lang) for lang in LANGS}


def bare(rule: str) -> str:
    """The rule code without the ``warning:`` prefix of findings lists."""
    return rule.removeprefix(WARNING)


def rule_label(rule: str, lang: Lang) -> str:
    """A rule's label ('Thay đổi lớn so với năm học trước'); its code when unknown."""
    found = _rule_texts().get(bare(rule))
    if found is None:
        return rule
    text, given = found
    return FORMATTERS[lang].vformat(getattr(text.label, lang), (), given)


def message(
    rule: str,
    lang: Lang,
    *,
    field: str | None = None,
    value: str | None = None,
    school: str | None = None,
    values: Mapping[str, Any] | None = None,
    stored: str | None = None,
) -> str:
    """One occurrence's message; the ``stored`` text (else the rule's label) for a rule or
    parameters the catalog cannot make a message of (rows stored before their parameters)."""
    found = _rule_texts().get(bare(rule))
    if found is None:
        return stored or rule
    text, given = found
    args = {**given, **(values or {}), "field": field, "value": value, "school": school}
    try:
        return FORMATTERS[lang].vformat(getattr(text.message, lang), (), args)
    except (KeyError, IndexError):
        return stored or rule_label(rule, lang)


def _loads(text: str | None) -> dict[str, Any] | None:
    return json.loads(text) if text else None


def messages(frame: pl.DataFrame, lang: Lang) -> pl.Series:
    """The message of every row of an issue frame (rule, field, value, params; school_code
    and a stored ``message`` when it has them)."""
    get = {
        c: frame[c].to_list() if c in frame.columns else [None] * frame.height
        for c in ("rule", "field", "value", "school_code", "params", "message")
    }
    out = [
        message(
            rule,
            lang,
            field=field,
            value=value,
            school=school,
            values=_loads(raw),
            stored=stored,
        )
        for rule, field, value, school, raw, stored in zip(
            get["rule"],
            get["field"],
            get["value"],
            get["school_code"],
            get["params"],
            get["message"],
            strict=True,
        )
    ]
    return pl.Series(f"message_{lang}", out, dtype=pl.String)


def describe(frame: pl.DataFrame) -> pl.DataFrame:
    """A list of rejects, warnings or findings with what a user reads, in both languages:
    ``rule_label_vi/en``, ``field_label_vi/en``, ``message_vi/en`` (``message`` = English).
    The parameters themselves stay in storage (``params`` is dropped)."""
    rules = frame["rule"].to_list()
    fields = frame["field"].to_list() if "field" in frame.columns else [None] * frame.height
    added = []
    for lang in LANGS:
        added += [
            pl.Series(f"rule_label_{lang}", [rule_label(r, lang) for r in rules], pl.String),
            pl.Series(f"field_label_{lang}", [field_label(f, lang) for f in fields], pl.String),
        ]
    vi, en = messages(frame, "vi"), messages(frame, "en")
    out = frame.with_columns(*added, vi, en, en.alias("message"))
    return out.drop("params", strict=False)


#: code columns of exports whose values have labels: the contract's enums (first alias is
#: the Vietnamese label), and the statuses, unit levels, schemes and directions of reports
CODED = ("level", "ownership", "area", "term", "school_type", "scheme", "direction", "family")
STATUS_COLUMNS = ("status", "norm_status", "target_status")


@functools.cache
def _value_labels() -> dict[str, dict[str, dict[str, str]]]:
    """column -> code -> {vi, en}: the labels of coded cells."""
    from ioc.catalog.definitions import load_catalog
    from ioc.reports.labels import DIRECTIONS, LEVELS, SCHEMES, STATUS

    def pairs(table: Mapping[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
        return {code: {"vi": vi, "en": en} for code, (vi, en) in table.items()}

    enums = load_contract().enums
    out: dict[str, dict[str, dict[str, str]]] = {
        name: {code: {"vi": names[0], "en": code} for code, names in values.items() if names}
        for name, values in enums.items()
    }
    out["level"] = out.get("level", {}) | pairs(LEVELS)  # school levels and unit levels
    out["term"] = out.get("term", {}) | TERM_NAMES
    out["scheme"] = pairs(SCHEMES)
    out["direction"] = pairs(DIRECTIONS)
    out["family"] = {f.id: {"vi": f.vi, "en": f.en} for f in load_catalog().families}
    for column in STATUS_COLUMNS:
        out[column] = pairs(STATUS)
    return out


def value_label(column: str, code: str | None, lang: Lang) -> str | None:
    """The label of a coded cell ('cong_lap' in ``ownership`` -> 'Công lập'; 'no_norm' in
    ``norm_status`` -> 'Không có định mức'); the code itself when the catalog has none."""
    if code is None:
        return None
    entry = _value_labels().get(column, {}).get(code)
    return entry[lang] if entry else code


def label_values(frame: pl.DataFrame, lang: Lang) -> pl.DataFrame:
    """Every coded column of ``frame`` (:data:`CODED`, statuses) with its labels."""
    labels = _value_labels()
    return frame.with_columns(
        pl.col(c).replace_strict(
            {code: entry[lang] for code, entry in labels[c].items()},
            default=pl.col(c),
            return_dtype=pl.String,
        )
        for c, dtype in frame.schema.items()
        if c in labels and dtype == pl.String
    )


def localise(frame: pl.DataFrame, lang: Lang) -> pl.DataFrame:
    """An export in one language: the rule, field and message columns show that language's
    labels (:func:`describe`), coded cells their labels (:func:`label_values`), and of every
    ``X_vi``/``X_en`` pair only that language's column stays, as ``X`` (an indicator's name
    as ``indicator_name``, beside its code)."""
    other = "en" if lang == "vi" else "vi"
    columns = set(frame.columns)
    frame = frame.with_columns(
        pl.col(f"{label}_{lang}").alias(base)
        for base, label in LABELLED
        if base in columns and f"{label}_{lang}" in columns
    )
    moved = [f"{label}_{lang}" for base, label in LABELLED if base in columns]
    pairs = [c for c in frame.columns if c.endswith(f"_{other}") and f"{c[:-3]}_{lang}" in columns]
    frame = frame.drop([*moved, *pairs], strict=False)
    if "indicator_id" in columns and f"name_{lang}" in columns:  # the name says it in words
        frame = frame.rename({f"name_{lang}": "indicator_name"})  # the code stays, to join on
    kept = [p[:-3] for p in pairs if p[:-3] not in frame.columns]
    frame = frame.rename({f"{b}_{lang}": b for b in kept if f"{b}_{lang}" in frame.columns})
    return yes_no(label_values(frame, lang), lang)


#: how an export in each language shows a boolean cell
YES_NO: dict[Lang, tuple[str, str]] = {"vi": ("Có", "Không"), "en": ("Yes", "No")}


def yes_no(frame: pl.DataFrame, lang: Lang) -> pl.DataFrame:
    """Every boolean column of ``frame`` as 'Có'/'Không' ('Yes'/'No'), nulls kept."""
    yes, no = YES_NO[lang]
    return frame.with_columns(
        pl.when(pl.col(c)).then(pl.lit(yes)).when(~pl.col(c)).then(pl.lit(no)).alias(c)
        for c, dtype in frame.schema.items()
        if dtype == pl.Boolean
    )


# -- why a whole file was not loaded (messages.yaml `files`) --------------------------------
#: the names a file message's parameters give its place and the failing library's own
#: technical text (not template parameters)
WHERE = ("file", "sheet", "detail")
_SHEET = {"vi": "trang tính", "en": "sheet"}


def file_codes() -> set[str]:
    """Every file message code the catalog has texts for."""
    return set(load_messages().files)


def file_text(code: str, lang: Lang, values: Mapping[str, Any] | None = None) -> str:
    """The text of a file message code with its parameters (without the file's name)."""
    text = load_messages().files[code]
    args = {k: v for k, v in (values or {}).items() if k not in WHERE}
    return FORMATTERS[lang].vformat(getattr(text, lang), (), args)


def file_message(
    code: str | None, lang: Lang, values: Mapping[str, Any] | None = None, stored: str | None = None
) -> str | None:
    """A run's message in ``lang``: the file's name (and sheet) and the code's text; the
    ``stored`` (English) one for a run stored without a code or a code the catalog lacks."""
    if code is None or code not in load_messages().files:
        return stored
    values = values or {}
    try:
        text = file_text(code, lang, values)
    except (KeyError, IndexError):
        return stored
    where = values.get("file")
    if values.get("sheet"):
        where = f"{where}, {_SHEET[lang]} {values['sheet']!r}"
    return f"{where}: {text}" if where else text


def run_messages(frame: pl.DataFrame) -> pl.DataFrame:
    """Ingest runs with ``message_vi``/``message_en`` made from their ``message_code`` and
    ``message_params`` (the stored English ``message`` for runs stored without them), and
    ``message_detail``: the technical text of the library that failed to read the file,
    kept apart from the messages; the other parameters stay in storage (``message_params``
    is dropped)."""
    if "message" not in frame.columns:
        return frame
    get = {
        c: frame[c].to_list() if c in frame.columns else [None] * frame.height
        for c in ("message_code", "message_params", "message")
    }
    rows = list(zip(get["message_code"], get["message_params"], get["message"], strict=True))
    added = [
        pl.Series(
            f"message_{lang}",
            [
                None if stored is None else file_message(code, lang, _loads(raw), stored)
                for code, raw, stored in rows
            ],
            pl.String,
        )
        for lang in LANGS
    ]
    details = [(_loads(raw) or {}).get("detail") for _, raw, _ in rows]
    added.append(pl.Series("message_detail", details, pl.String))
    return frame.with_columns(added).drop("message_params", strict=False)
