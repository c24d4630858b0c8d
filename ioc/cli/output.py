"""Where the ``ioc`` commands print (results on stdout, messages on stderr) and the texts they
print about runs, rejects and findings, Vietnamese first."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from ioc.catalog.messages import Lang

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
}


def phrase(key: str, lang: Lang, **values: Any) -> str:
    return TEXTS[key][lang].format(**values)
