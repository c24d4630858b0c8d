"""Every list answers as JSON, CSV or XLSX from the same query (``?format=`` or a suffix)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Literal

import polars as pl
from fastapi import Request
from fastapi.responses import Response, StreamingResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

Format = Literal["json", "csv", "xlsx"]
MAX_ROWS = 1_000_000  # an export is cut beyond this, and says so in a header and in the file


def respond(request: Request, frame: pl.DataFrame, name: str, fmt: Format) -> Response:
    if fmt == "json":
        return Response(frame.write_json(), media_type="application/json")
    return export_response(request, frame, name, fmt)


async def respond_async(request: Request, frame: pl.DataFrame, name: str, fmt: Format) -> Response:
    """:func:`respond` for an async route: JSON at once, an export in a worker thread."""
    if fmt == "json":
        return Response(frame.write_json(), media_type="application/json")
    return await run_in_threadpool(export_response, request, frame, name, fmt)


def export_response(request: Request, frame: pl.DataFrame, name: str, fmt: Format) -> Response:
    from ioc.exports import columns_for, csv_chunks, write_xlsx

    lang = request.query_params.get("headers", "canonical")
    headers_lang = lang if lang in ("vi", "en", "canonical") else "canonical"
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    head = {
        "Content-Disposition": f'attachment; filename="{name}_{stamp}.{fmt}"',
        "X-Total-Rows": str(frame.height),
    }
    nested = [n for n, t in frame.schema.items() if isinstance(t, pl.List)]
    frame = frame.with_columns(pl.col(n).list.join("; ") for n in nested)  # e.g. norm sources
    columns = columns_for(frame)
    audit = getattr(request.app.state, "audit_export", None)
    if audit is not None:
        audit(request, name, fmt, frame.height)
    if fmt == "csv":
        stream = csv_chunks(frame, columns, headers_lang, limit=MAX_ROWS, total=frame.height)
        if stream.truncation:
            head |= {"X-Truncated": f"{stream.truncation.rows} of {stream.truncation.total}"}
        return StreamingResponse(
            stream,
            media_type="text/csv; charset=utf-8",
            headers=head,
            background=BackgroundTask(stream.close),
        )
    buffer = io.BytesIO()
    result = write_xlsx(
        frame,
        buffer,
        columns,
        headers_lang,
        sheet_name=name[:31],
        limit=MAX_ROWS,
        total=frame.height,
    )
    if result.truncation:
        head |= {"X-Truncated": f"{result.truncation.rows} of {result.truncation.total}"}
    return Response(
        buffer.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=head,
    )
