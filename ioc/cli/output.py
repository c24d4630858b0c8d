"""Where the ``ioc`` commands print (results on stdout, messages on stderr) and the texts they
print about runs, rejects and findings, Vietnamese first."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ioc.catalog.messages import Lang
from ioc.config import display_zone
from ioc.domain.formats import as_local

console = Console()
err = Console(stderr=True)

TEXTS: dict[str, dict[Lang, str]] = {
    "runs": {
        "vi": "lần nạp|tệp|trạng thái|đọc|nhận|thay thế|từ chối|cảnh báo",
        "en": "run|file|status|read|accepted|replaced|rejected|warnings",
    },
    "see_rejects": {
        "vi": "Xem các dòng bị từ chối: ioc rejects --run LẦN_NẠP",
        "en": "See the rejected rows with: ioc rejects --run RUN",
    },
    "reject": {
        "vi": "lần nạp {run} {file}{sheet}, dòng {row}, cột {column}, trường {school}: "
        "{rule} — {message}{value}",
        "en": "run {run} {file}{sheet}, row {row}, column {column}, school {school}: "
        "{rule} — {message}{value}",
    },
    "sheet": {"vi": ", trang tính {sheet!r}", "en": ", sheet {sheet!r}"},
    "value": {"vi": " (giá trị: {value!r})", "en": " (value: {value!r})"},
    "rejections": {"vi": "{n} dòng bị từ chối", "en": "{n} rejection(s)"},
    "chase": {"vi": "Trường cần đôn đốc: {n}", "en": "Schools to chase: {n}"},
    "chase_row": {
        "vi": "  {status} {school} {name} (hạn {due}{received}; kỳ báo cáo gần nhất {last})",
        "en": "  {status} {school} {name} (due {due}{received}; last reported {last})",
    },
    "received": {"vi": ", nhận ngày {date}", "en": ", received {date}"},
    "status_missing": {"vi": "chưa báo cáo", "en": "missing"},
    "status_late": {"vi": "muộn", "en": "late"},
    "findings": {"vi": "Phát hiện và cảnh báo: {n}", "en": "Findings and warnings: {n}"},
    "finding": {
        "vi": "  {rule}: {school} {name}, {field} = {value}: {message}",
        "en": "  {rule}: {school} {name}, {field} = {value}: {message}",
    },
    "loaded": {"vi": "đã nạp", "en": "loaded"},
    "failed": {"vi": "không đọc được tệp", "en": "file unreadable"},
    "rejected_strict": {"vi": "bị từ chối (chế độ nghiêm ngặt)", "en": "refused (strict mode)"},
    "chain_problem": {"vi": "  {text}: {detail}", "en": "  {text}: {detail}"},
}


def phrase(key: str, lang: Lang, **values: Any) -> str:
    return TEXTS[key][lang].format(**values)


def local_iso(value: datetime | None) -> str | None:
    """ISO 8601 in the display time zone, its offset saying which (2026-03-09T17:15:00+07:00)."""
    return as_local(value, display_zone()).isoformat(timespec="seconds") if value else None


def print_rows(rows: list[dict[str, Any]], as_json: bool, title: str) -> None:
    """Rows as JSON, or as a table titled ``title`` (lists joined with commas)."""
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        console.print(f"no {escape(title)}")
        return
    table = Table(*rows[0].keys(), title=title)
    for row in rows:
        cells = (
            ", ".join(v) if isinstance(v, list) else "" if v is None else str(v)
            for v in row.values()
        )
        table.add_row(*(escape(c) for c in cells))
    console.print(table)
