"""How a serving process logs (``IOC_LOG_FORMAT``, docs/scale.md "Operations").

``text`` (the default) leaves logging as it always was: uvicorn's own configuration and no
line per request. ``json`` writes every record to stderr as one JSON line a collector can
read: a request (:func:`request`, written by :class:`ioc.api.request_log.RequestLog`) as
``ts``, ``level``, ``event: "request"`` and its fields; any other record as ``ts``,
``level``, ``logger``, ``message`` (and ``exc``, its traceback, when it has one). JSON
escapes every control character, so no value a client sent can start a line of its own.

``ioc serve`` calls :func:`configure` once per process and hands :func:`uvicorn_log_config`
to uvicorn, so uvicorn's records (start, stop, errors) are JSON lines too."""

from __future__ import annotations

import copy
import json
import logging
import logging.config
from datetime import UTC, datetime
from typing import Any

from ioc.config import Settings

REQUESTS = logging.getLogger("ioc.request")
#: a value longer than this (a path, a message) is cut in a JSON line
MAX_VALUE = 2000
_FIELDS = "ioc_fields"  # the attribute of a record that carries a request's fields


class JsonLines(logging.Formatter):
    """A record as one line of JSON."""

    def format(self, record: logging.LogRecord) -> str:
        ts = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        line: dict[str, Any] = {"ts": ts.replace("+00:00", "Z"), "level": record.levelname}
        fields = getattr(record, _FIELDS, None)
        if fields is not None:
            line.update(fields)
        else:
            line["logger"] = record.name
            line["message"] = _cut(record.getMessage())
            if record.exc_info:
                line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def _cut(text: str) -> str:
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE] + "…"


def request(**fields: Any) -> None:
    """Log one answered request (its fields in the order of docs/scale.md)."""
    cut = {k: _cut(v) if isinstance(v, str) else v for k, v in fields.items()}
    REQUESTS.info("request", extra={_FIELDS: {"event": "request", **cut}})


def configure(settings: Settings) -> None:
    """Set up this process's logging: with ``json``, every logger's records go to one
    JSON-lines handler on stderr; with ``text``, nothing changes."""
    if settings.log_format == "json":
        logging.config.dictConfig(uvicorn_log_config(settings))


def uvicorn_log_config(settings: Settings) -> dict[str, Any]:
    """uvicorn's ``log_config`` (it applies it in each worker process too): its default for
    ``text``; for ``json`` the root logger writes JSON lines and uvicorn's loggers hand their
    records to it (no access log: the request lines are ours, with the user, the route and
    the request id)."""
    from uvicorn.config import LOGGING_CONFIG

    if settings.log_format != "json":
        return copy.deepcopy(LOGGING_CONFIG)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonLines}},
        "handlers": {
            "json": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["json"], "level": "INFO"},
        "loggers": {
            "uvicorn": {"handlers": [], "level": "INFO", "propagate": True},
            "uvicorn.error": {"handlers": [], "level": "INFO", "propagate": True},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": True},
        },
    }
