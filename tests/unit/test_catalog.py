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


# -- what users read about rules (messages.yaml): issue 15, item 3 ------------------------
RULE_IN_CODE = {  # where rules are named, and how
    "ioc/returns": [
        r'\.then\(pl\.lit\("([a-z][a-z0-9_]+):?"\)\)',  # an error column
        r'pl\.lit\("([a-z][a-z0-9_]+):"\)',  # an error with parameters
        r'_unit_error\(\s*"([a-z][a-z0-9_]+)"',
        r'_lookup\(name, \w+, "([a-z][a-z0-9_]+)"',
    ],
    "": [
        r'pl\.lit\("([a-z][a-z0-9_]+)"\)\.alias\("rule"\)',  # a rule column
        r'"rule": "([a-z][a-z0-9_]+)",',  # a rule in a record
    ],
}


def _rules_in_code() -> set[str]:
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found: set[str] = set()
    for path in [*(root / "ioc").rglob("*.py"), *(root / "ingest").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        for where, patterns in RULE_IN_CODE.items():
            if str(path.relative_to(root)).startswith(where):
                for pattern in patterns:
                    found |= set(re.findall(pattern, text))
    return found


def test_every_rule_used_in_code_has_vietnamese_and_english_texts() -> None:
    from ioc.catalog.messages import message, rule_codes, rule_label

    used = _rules_in_code() | {r.name for r in load_rules().rejects}
    assert {"period_change", "jump", "school_moved", "required_missing"} <= used  # the scan works
    assert used - rule_codes() == set()
    for code in used:
        vi, en = rule_label(code, "vi"), rule_label(code, "en")
        assert vi and en and vi != en and code not in (vi, en), code
        assert message(code, "vi", field="students") != message(code, "en", field="students")


def test_every_field_and_ratio_has_vietnamese_and_english_labels() -> None:
    from ioc.catalog.messages import field_label

    names = [f.name for f in CONTRACT.fields]
    names += [r.id for r in load_rules().quality.outlier_ratios]
    for name in names:
        vi, en = field_label(name, "vi"), field_label(name, "en")
        assert vi and en and name not in (vi, en), name


def test_messages_are_made_from_the_parameters_in_either_language() -> None:
    from ioc.catalog.messages import message

    args = {"field": "students", "values": {"share": 35, "year": "2023-2024", "max": 30}}
    assert message("period_change", "vi", **args) == (  # type: ignore[arg-type]
        "Số học sinh thay đổi 35% so với năm học 2023-2024 (ngưỡng 30%)"
    )
    assert message("period_change", "en", **args) == (  # type: ignore[arg-type]
        "Pupils changed by 35% since 2023-2024 (more than 30%)"
    )
    outlier = {"ratio": 1234.5, "median": 80.25, "peers": 7, "z": 4.2}
    text = message("outlier", "vi", field="pupils_per_toilet", values=outlier)
    assert text.startswith("Số học sinh trên một nhà vệ sinh là 1.234,5") and "80,25" in text
    # a row stored before its parameters were keeps its stored text
    assert message("period_change", "vi", field="students", stored="old") == "old"


def test_a_template_with_other_parameters_in_one_language_is_refused(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import yaml

    from ioc.catalog import definitions

    data = yaml.safe_load((definitions.CATALOG_DIR / "messages.yaml").read_text("utf-8"))
    data["rules"]["jump"]["message"]["en"] = "{field:field} changed by {percent:num}%"
    monkeypatch.setattr(definitions, "_load_yaml", lambda name: data)
    definitions.load_messages.cache_clear()
    try:
        with pytest.raises(ValueError, match="jump: vi and en take other parameters"):
            definitions.load_messages()
    finally:
        definitions.load_messages.cache_clear()


def _file_codes_in_code() -> set[str]:
    """The message codes of every FileError and LimitError raised in ioc/ and ingest/ (and
    of the run summaries made by ingest/runner.py and ingest/places.py)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    raised = re.compile(r"(?:FileError|LimitError)\(\s*path,\s*\"(\w+)\"")
    named = re.compile(r"^PASSWORD = \"(\w+)\"", re.M)
    said = re.compile(r"\bsay\(report, \"(\w+)\"")  # ingest/run_store.py: say
    summary = re.compile(r"return \"(\w+)\", \{")
    found: set[str] = set()
    for path in [*(root / "ioc").rglob("*.py"), *(root / "ingest").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        for pattern in (raised, named, said):
            found |= set(pattern.findall(text))
        if path.name == "places.py":
            found |= set(summary.findall(text))
    return found


def test_every_file_message_code_has_vietnamese_and_english_texts() -> None:
    from ioc.catalog.definitions import load_messages
    from ioc.catalog.messages import file_codes

    used = _file_codes_in_code()
    # the scan works: codes of read.py, limits.py, runner.py, targets.py and places.py
    assert {
        "file_empty",
        "password_protected",
        "file_too_large",
        "missing_columns",
        "targets_empty",
        "strict_rejected",
        "out_of_scope_moved",
    } <= used
    assert used - file_codes() == set()
    for code in used:
        text = load_messages().files[code]
        assert text.vi.strip() and text.en.strip() and text.vi != text.en, code


def test_a_file_error_says_it_in_both_languages() -> None:
    from ioc.returns.errors import FileError
    from ioc.returns.limits import LimitError

    error = FileError("/tmp/x/a.csv", "file_empty")
    assert str(error) == "a.csv: the file is empty (0 bytes)"
    assert error.text("vi") == "a.csv: tệp rỗng (0 byte)"
    assert error.values == {"file": "a.csv", "sheet": None}
    limit = LimitError("b.csv", "file_too_large", "IOC_MAX_FILE_BYTES", size=12345, limit=1000)
    assert str(limit) == (
        "b.csv: the file is 12,345 bytes, above the limit of 1,000 (IOC_MAX_FILE_BYTES)"
    )
    assert limit.text("vi") == "b.csv: tệp có 12.345 byte, vượt giới hạn 1.000 (IOC_MAX_FILE_BYTES)"
    sheet = FileError("c.xlsx", "missing_columns", sheet="S", columns="'Mã trường'")
    assert str(sheet) == "c.xlsx, sheet 'S': missing required columns: 'Mã trường'"
    assert sheet.text("vi") == "c.xlsx, trang tính 'S': thiếu các cột bắt buộc: 'Mã trường'"


def test_vietnamese_exports_show_booleans_as_words() -> None:
    import polars as pl

    from ioc.catalog.messages import localise

    frame = pl.DataFrame({"strict": [True, False, None], "n": [1, 2, 3]})
    assert localise(frame, "vi")["strict"].to_list() == ["Có", "Không", None]
    assert localise(frame, "en")["strict"].to_list() == ["Yes", "No", None]
    assert localise(frame, "vi")["n"].to_list() == [1, 2, 3]
