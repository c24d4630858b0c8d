"""The hash a pull keeps of each row (``ingest_pulled.row_hash``) is the SHA-256 of the JSON
of its non-blank fields in name order: rows hashed by a pull compare with those stored by
earlier pulls."""

from __future__ import annotations

import hashlib
import json

import polars as pl

from ingest.pull_rows import row_hashes


def test_row_hashes_are_the_json_of_the_non_blank_fields_in_name_order() -> None:
    rows = pl.DataFrame(
        {
            "school_name": ['Trường "A" \\ số\n1\t\x01', None, "", "Tiểu học Đ"],
            "school_code": ["94001", "94002", "94003", ""],
            "students": ["12", "0", None, None],
        }
    )
    fields = ["students", "school_name", "school_code"]
    expected = []
    for row in rows.iter_rows(named=True):
        kept = {f: row[f] for f in sorted(fields) if row[f] not in (None, "")}
        text = json.dumps(kept, ensure_ascii=False)
        expected.append(hashlib.sha256(text.encode()).hexdigest())
    assert row_hashes(rows, fields) == expected
