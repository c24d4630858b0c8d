"""``ioc sources`` with the real command: add (YAML, then JSON with --replace), list, pull of a
source whose credentials are missing (exit status 1, the error in the user's words, a
ledger row), pulls, remove."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from ioc.config import Settings
from tests.conftest import run_ioc

SPEC = {
    "name": "vendor-cli",
    "kind": "http-json",
    "base_url": "http://127.0.0.1:9/api",
    "secret": "vendor-cli",
    "units": [{"scheme": "legacy", "code": "94"}],
    "reconcile_cron": None,
    "mapping": {"resources": {"returns": {"path": "r", "fields": {"school_code": "code"}}}},
}


def test_add_list_pull_pulls_remove(settings: Settings, tmp_path: Path) -> None:
    spec = tmp_path / "vendor.yaml"
    spec.write_text(yaml.safe_dump(SPEC), encoding="utf-8")
    assert "added source vendor-cli" in run_ioc(settings, "sources", "add", str(spec)).stdout
    changed = tmp_path / "vendor.json"
    changed.write_text(json.dumps({**SPEC, "cron": "0 6 * * *"}), encoding="utf-8")
    run_ioc(settings, "sources", "add", str(changed), "--replace")
    (row,) = json.loads(run_ioc(settings, "sources", "list", "--json").stdout)
    assert (row["name"], row["cron"], row["state"]) == ("vendor-cli", "0 6 * * *", "never")

    pulled = run_ioc(settings, "sources", "pull", "vendor-cli", "--lang", "en", check=False)
    assert pulled.returncode == 1
    assert "source vendor-cli: delta pull, failed" in pulled.stdout
    assert "secret" in pulled.stderr and "'vendor-cli'" in pulled.stderr
    (ledger,) = json.loads(run_ioc(settings, "sources", "pulls", "vendor-cli", "--json").stdout)
    assert (ledger["status"], ledger["error"]) == ("failed", "source_secret_unavailable")

    assert "removed" in run_ioc(settings, "sources", "remove", "vendor-cli").stdout
    gone = run_ioc(settings, "sources", "pull", "vendor-cli", "--lang", "en", check=False)
    assert gone.returncode == 1 and "No source vendor-cli" in gone.stderr
