"""The catalog files load, agree with each other and with the DuckDB schema."""

from __future__ import annotations

import duckdb
import pytest

from ioc.catalog import load_contract, load_rules, normalize_label
from ioc.config import Settings
from ioc.db import apply_schema

CONTRACT = load_contract()


@pytest.mark.parametrize("field", CONTRACT.fields, ids=lambda f: f.name)
def test_field_has_labels_and_known_group(field: object) -> None:
    assert field.vi and field.en  # type: ignore[attr-defined]
    assert field.group in CONTRACT.groups  # type: ignore[attr-defined]


def test_every_spec_field_is_in_the_contract() -> None:
    from pathlib import Path

    spec = Path(__file__).resolve().parents[3] / "shared/spec/school-return.md"
    if not spec.exists():
        pytest.skip("shared/spec not beside the repository")
    text = spec.read_text(encoding="utf-8")
    import re

    names = set(re.findall(r"^\| ([a-z_0-9]+)(?:, ([a-z_0-9]+))? \|", text, flags=re.M))
    spec_fields = {n for pair in names for n in pair if n and n != "field"}
    assert spec_fields <= set(CONTRACT.by_name), spec_fields - set(CONTRACT.by_name)


def test_rules_name_count_fields() -> None:
    counts = set(CONTRACT.names_of("count"))
    for rule in load_rules().rejects:
        for name in [*(rule.parts or []), rule.total, *(rule.requires_positive or {}).values()]:
            assert name is None or name in counts


def test_returns_table_has_every_contract_field_with_its_type(tmp_path: object) -> None:
    conn = duckdb.connect()
    apply_schema(conn, Settings())
    columns = dict(
        conn.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_name = 'core_school__period_returns'"
        ).fetchall()
    )
    expected = {"count": "INTEGER", "decimal": "DOUBLE", "flag": "BOOLEAN"}
    for field in CONTRACT.fields:
        assert columns[field.name] == expected.get(field.type, "VARCHAR"), field.name


def test_enum_labels_match_case_insensitively() -> None:
    index = CONTRACT.enum_index("level")
    assert index[normalize_label("TIỂU HỌC")] == "TH"
    assert index[normalize_label("Liên cấp")] == "TH_THCS_THPT"
    assert CONTRACT.enum_index("term")[normalize_label("Cuối năm")] == "CN"
