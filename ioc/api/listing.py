"""Every list answers as JSON, CSV or XLSX from the same query (``?format=`` or a suffix).

The CSV and XLSX forms are exports: admitted by :mod:`ioc.api.capacity` before the route
runs (429 beyond the caps), and written on the export pool, not in the shared worker
threads that interactive requests need."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime
from typing import Annotated, Literal

import polars as pl
from fastapi import Depends, Request
from fastapi.responses import Response, StreamingResponse

from ioc.api.capacity import ExportGate, PooledResponse
from ioc.api.deps import get_principal

Form = Literal["json", "csv", "xlsx"]
MAX_ROWS = 1_000_000  # an export is cut beyond this, and says so in a header and in the file
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _admitted(request: Request, format: Form = "json") -> AsyncIterator[Form]:
    """The form a list is asked in; a CSV or XLSX form holds an export slot of the caller
    until its response is sent (429 when the caller or the server has none free)."""
    if format == "json":
        yield format
        return
    who = await get_principal(request)
    with ExportGate.of(request.app).slot(who.username):
        yield format


#: the ``format`` query parameter of a list route (``format: Format = "json"``)
Format = Annotated[Form, Depends(_admitted)]


def respond(
    request: Request,
    frame: pl.DataFrame,
    name: str,
    fmt: Form,
    labels: Mapping[str, tuple[str, str]] | None = None,
) -> Response:
    if fmt == "json":
        return Response(frame.write_json(), media_type="application/json")
    return export_response(request, frame, name, fmt, labels)


async def respond_async(request: Request, frame: pl.DataFrame, name: str, fmt: Form) -> Response:
    """:func:`respond` for an async route: JSON at once, an export on the export pool."""
    if fmt == "json":
        return Response(frame.write_json(), media_type="application/json")
    return await ExportGate.of(request.app).run(export_response, request, frame, name, fmt)


def export_response(
    request: Request,
    frame: pl.DataFrame,
    name: str,
    fmt: Form,
    labels: Mapping[str, tuple[str, str]] | None = None,
) -> Response:
    """The export's headers now; its file written on the export pool as it is sent
    (``labels``: the columns' (vi, en) headers beyond :func:`ioc.exports.lists.columns_for`'s)."""
    from ioc.catalog.messages import localise
    from ioc.exports.lists import columns_for
    from ioc.exports.rows import truncation_for
    from ioc.exports.writer import csv_chunks, write_xlsx

    lang = request.query_params.get("headers", "canonical")
    headers_lang: Literal["vi", "en", "canonical"] = (
        "vi" if lang == "vi" else "en" if lang == "en" else "canonical"
    )
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    head = {
        "Content-Disposition": f'attachment; filename="{name}_{stamp}.{fmt}"',
        "X-Total-Rows": str(frame.height),
    }
    truncation = truncation_for(frame.height, MAX_ROWS)
    if truncation:
        head |= {"X-Truncated": f"{truncation.rows} of {truncation.total}"}
    if headers_lang != "canonical":  # rules, fields and messages in the export's language
        frame = localise(frame, headers_lang)
    nested = [n for n, t in frame.schema.items() if isinstance(t, pl.List)]
    frame = frame.with_columns(pl.col(n).list.join("; ") for n in nested)  # e.g. norm sources
    columns = columns_for(frame, labels)
    audit = getattr(request.app.state, "audit_export", None)
    if audit is not None:
        audit(request, name, fmt, frame.height)
    gate = ExportGate.of(request.app)
    if fmt == "csv":
        stream = csv_chunks(frame, columns, headers_lang, limit=MAX_ROWS, total=frame.height)
        return StreamingResponse(
            gate.iterate(stream, stream.close),
            media_type="text/csv; charset=utf-8",
            headers=head,
        )

    def workbook() -> bytes:
        buffer = io.BytesIO()
        write_xlsx(
            frame,
            buffer,
            columns,
            headers_lang,
            sheet_name=name[:31],
            limit=MAX_ROWS,
            total=frame.height,
        )
        return buffer.getvalue()

    return PooledResponse(gate, workbook, media_type=XLSX, headers=head)
