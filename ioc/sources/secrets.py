"""Credentials of sources: entries of a secrets file the server reads
(``IOC_SOURCES_SECRETS_FILE``, YAML: ``{entry: {key: value}}``), never stored in the
operational store, printed, logged or audited. A source names its entry."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import SecretStr

from ioc.config import Settings


class SecretError(Exception):
    """The secrets file cannot be read, or has no such entry (the message names neither a
    value nor the file's content)."""


def load_secret(settings: Settings, name: str | None) -> dict[str, SecretStr]:
    """The entry ``name`` of the secrets file ({} for None)."""
    if name is None:
        return {}
    path = settings.sources_secrets_file
    if path is None:
        raise SecretError(f"secret {name!r}: IOC_SOURCES_SECRETS_FILE is not set")
    entries = _read(path)
    entry = entries.get(name)
    if not isinstance(entry, dict):
        raise SecretError(f"secret {name!r} is not in the secrets file")
    return {str(k): SecretStr(str(v)) for k, v in entry.items()}


def _read(path: Path) -> dict[str, object]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        raise SecretError(f"the secrets file {path.name} cannot be read") from None
    if not isinstance(data, dict):
        raise SecretError(f"the secrets file {path.name} is not a mapping of entries")
    return data
