"""The definitions sheet: every indicator's formula, norm and legal source, from the catalog."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from ioc.catalog import load_contract
from ioc.catalog.definitions import Catalog, Indicator, NormRule, load_catalog
from ioc.catalog.messages import value_label
from ioc.domain.period import Period
from ioc.reports.labels import COMPARISONS, DIRECTIONS
from ioc.views.indicators import norm_sources


def _field(name: str | None) -> tuple[str, str]:
    field = load_contract().by_name[name] if name else None
    return (field.vi, field.en) if field else ("", "")


def formula(ind: Indicator) -> tuple[str, str]:
    """How the indicator is computed from the returns, in Vietnamese and English."""
    (n_vi, n_en), (d_vi, d_en) = _field(ind.numerator), _field(ind.denominator)
    factor = f" × {ind.factor:g}" if ind.factor != 1 else ""
    by_kind = {
        "schools": ("Số trường có báo cáo", "Schools with a return"),
        "sum": (f"Σ {n_vi}", f"Σ {n_en}"),
        "ratio": (f"Σ {n_vi} / Σ {d_vi}{factor}", f"Σ {n_en} / Σ {d_en}{factor}"),
        "share_of_schools": (
            f"Số trường có «{n_vi}» / số trường có số liệu{factor}",
            f"Schools with '{n_en}' / schools reporting it{factor}",
        ),
        "per_school": (f"Σ {n_vi} / số trường có số liệu", f"Σ {n_en} / schools reporting it"),
        "schools_above_norm": (
            f"Số trường có {n_vi}/{d_vi} vượt định mức / số trường có số liệu{factor}",
            f"Schools whose {n_en}/{d_en} exceeds the norm / schools reporting{factor}",
        ),
        "shortfall": (
            f"Σ max(0, định mức × {d_vi} − {n_vi}) theo từng trường",
            f"Σ over schools of max(0, norm × {d_en} − {n_en})",
        ),
        "completeness": (
            f"Số trường đã báo cáo / số trường phải báo cáo{factor}",
            f"Schools reported / schools expected{factor}",
        ),
        "timeliness": (
            f"Số trường báo cáo đúng hạn / số trường phải báo cáo{factor}",
            f"Schools on time / schools expected{factor}",
        ),
    }
    return by_kind[ind.kind]


def _labels(column: str, codes: Sequence[str] | None) -> str:
    """Codes of a catalog column as their Vietnamese labels ('cong_lap' -> 'Công lập')."""
    return ", ".join(value_label(column, c, "vi") or c for c in codes or [])


def _rule_text(rule: NormRule) -> str:
    where = [
        _labels(column, codes)
        for column, codes in (
            ("level", rule.levels),
            ("ownership", rule.ownership),
            ("school_type", rule.school_types),
        )
        if codes
    ]
    if rule.full_day:
        where.append("2 buổi/ngày")
    return f"{' '.join(where) or 'Tất cả'}: {rule.value:g}"


def norm_text(catalog: Catalog, ind: Indicator, on: date) -> str:
    """The norm rules in force on a date, e.g. 'tối đa / at most — TH: 35; THCS, THPT: 45'."""
    if ind.norm is None:
        return ""
    norm = catalog.norms.by_id[ind.norm]
    rules = [
        r
        for r in norm.rules
        if (r.valid_from is None or r.valid_from <= on) and (r.valid_to is None or on <= r.valid_to)
    ]
    vi, en = COMPARISONS[norm.comparison]
    tolerance = f" (±{norm.tolerance:.0%})" if norm.tolerance else ""
    return f"{vi} / {en}{tolerance} — " + "; ".join(dict.fromkeys(map(_rule_text, rules)))


def rounding_text(catalog: Catalog, ind: Indicator) -> str:
    """The rule that makes a shortfall whole people, with its basis (``norms.yaml``)."""
    norm = catalog.norms.by_id[ind.ratio_norm] if ind.ratio_norm else None
    if norm is None or norm.rounding is None:
        return ""
    return f"Làm tròn / Rounding: {norm.rounding.vi} ({norm.rounding.source})"


def definitions_frame(school_year: str, term: str) -> pl.DataFrame:
    """One row per indicator of the catalog, with the norms in force in the period."""
    catalog = load_catalog()
    families = {f.id: f for f in catalog.families}
    on = Period.of(school_year, term).date
    rows = []
    for ind in catalog.indicators:
        formula_vi, formula_en = formula(ind)
        scope = [
            _labels(column, codes)
            for column, codes in (
                ("level", ind.scope.levels),
                ("ownership", ind.scope.ownership),
                ("term", ind.scope.terms),
            )
            if codes
        ]
        rows.append(
            {
                "indicator_id": ind.id,
                "name_vi": ind.vi,
                "name_en": ind.en,
                "family": families[ind.family].vi,
                "formula_vi": formula_vi,
                "formula_en": formula_en,
                "unit_vi": ind.unit.vi,
                "direction": " / ".join(DIRECTIONS[ind.direction]),
                "norm": norm_text(catalog, ind, on),
                "legal_source": "; ".join(norm_sources(catalog, ind, on)),
                "scope": "; ".join(scope) or "Tất cả trường / all schools",
                "note": " ".join(
                    filter(None, [ind.note.vi if ind.note else "", rounding_text(catalog, ind)])
                ),
            }
        )
    return pl.DataFrame(rows)


LABELS = {
    "indicator_id": ("Mã chỉ tiêu", "Indicator"),
    "name_vi": ("Chỉ tiêu", "Indicator name"),
    "name_en": ("Tên tiếng Anh", "English name"),
    "family": ("Nhóm chỉ tiêu", "Family"),
    "formula_vi": ("Công thức", "Formula"),
    "formula_en": ("Công thức (tiếng Anh)", "Formula (English)"),
    "unit_vi": ("Đơn vị tính", "Unit"),
    "direction": ("Chiều đánh giá", "Direction"),
    "norm": ("Định mức áp dụng", "Norm in force"),
    "legal_source": ("Căn cứ pháp lý", "Legal source"),
    "scope": ("Phạm vi (cấp học; loại hình; kỳ)", "Scope (levels; public/private; terms)"),
    "note": ("Ghi chú", "Note"),
}
