"""Issue 16, "Speed": pulling the national registry and one period of 53,000 schools from the
reference vendor server on loopback in pages of 1,000, from nothing to published (<= 30 s,
<= 1 GB); then an incremental pull after 500 schools changed at the source (<= 3 s); and the
ratio to ``ioc ingest`` of the same rows from the national CSV file.

The server runs in a process of its own (:mod:`tests.bench.pull_vendor`); the source is
declared with ``ioc sources add`` in a fresh data directory with a secrets file holding the
server's credentials; each pull is ``ioc sources pull NAME --json`` measured as a child (wall,
peak RSS of it and its job process). The results are checked before any figure is believed:
the snapshot holds every row served and equals the CSV ingest's snapshot, and the delta
replaced exactly the 500 changed schools of each resource and found the rest unchanged.
With ``--profile`` each pull runs in-process under cProfile instead (``python -m
tests.bench.pull``, :func:`main`): the CLI's job process is what pulls, out of cProfile's reach.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import httpx
import yaml

from ioc.catalog import load_contract
from ioc.config import Settings
from tests.bench import national
from tests.bench.measure import ChildRun, child_env, fresh_data_dir, run_child, seconds, size
from tests.bench.pull_vendor import CHANGE_PATH
from tests.bench.server import load_average
from tests.tools.vendor_server import SECRETS, vendor_mapping

if TYPE_CHECKING:
    from tests.bench.targets import Context, Outcome

SOURCE = "vendor-bench"
PAGE = 1000
CHANGED = 500
RESOURCES = ("schools", "returns")
FULL_LIMIT_S, DELTA_LIMIT_S = 30.0, 3.0
GB = 1 << 30


@dataclass(frozen=True)
class Served:
    """The vendor server's process: its URL, and the CPU it has used so far."""

    url: str
    pid: int

    def cpu_s(self) -> float:
        """User and system seconds of the server process (every thread) so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def vendor_process(log: Any) -> Iterator[Served]:
    """The vendor server in its own process, for the ``with`` block."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.bench.pull_vendor"],
        cwd=national.REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("READY "):
            raise RuntimeError(f"the vendor server did not start (it said {line!r})")
        url = line.removeprefix("READY ")
        log(f"vendor server (pid {process.pid}) on {url}")
        yield Served(url, process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _declare(ctx: Context, url: str, data_dir: Path, units: list[str]) -> dict[str, str]:
    """Declare the source in ``data_dir`` (``ioc sources add``); the pulls' environment."""
    from tests.bench.targets import IOC

    secrets = data_dir / "secrets.yaml"
    secrets.write_text(yaml.safe_dump({f"{SOURCE}-secret": SECRETS["oauth2"]}), encoding="utf-8")
    secrets.chmod(0o600)
    spec = {
        "name": SOURCE,
        "kind": "http-json",
        "base_url": url,
        "secret": f"{SOURCE}-secret",
        "units": [{"scheme": "legacy", "code": code} for code in units],
        "resources": list(RESOURCES),
        "mapping": vendor_mapping("cursor", size=PAGE),
    }
    declared = data_dir / f"{SOURCE}.yaml"
    declared.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    env = child_env(data_dir) | {
        "IOC_SOURCES_SECRETS_FILE": str(secrets),
        "IOC_REPORTS_SCHEDULER": "false",
        # the national instance of the issue pulls returns already approved at the provinces:
        # every return counts on receipt (docs/approval.md), said here, not inherited
        "IOC_APPROVAL": "off",
    }
    added = run_child([str(IOC), "sources", "add", str(declared)], env=env)
    if not added.ok:
        raise RuntimeError(added.failure())
    ctx.log(f"  ioc sources add: {added.stdout.strip()} ({len(units)} provinces as units)")
    ctx.log("  IOC_APPROVAL=off (a national instance pulling approved returns)")
    return env


def _pull(ctx: Context, name: str, env: dict[str, str]) -> tuple[ChildRun, dict[str, Any]]:
    """``ioc sources pull SOURCE --json`` as a measured child; with --profile, the same pull
    in-process under cProfile (:func:`main`): the job's own process is what pulls."""
    from tests.bench.targets import IOC, PROFILES, _profile_text

    command = [str(IOC), "sources", "pull", SOURCE, "--json"]
    prof = PROFILES / f"{name}.prof"
    if ctx.profile:
        PROFILES.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "tests.bench.pull"]
    run = run_child(command, env=env)
    if ctx.profile and prof.is_file():
        ctx.log(f"profile written to {prof.relative_to(national.REPO_ROOT)}")
        ctx.log(_profile_text(prof))
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        report = {}
    if not run.ok or report.get("status") != "succeeded":
        raise RuntimeError(run.failure(30) + "\n" + json.dumps(report.get("error")))
    return run, report


def _log_pull(
    ctx: Context, label: str, run: ChildRun, report: dict[str, Any], server_s: float
) -> None:
    ctx.log(
        f"  {label}: wall {seconds(run.wall_s)} (job's own {seconds(report['duration_seconds'])})"
        f", cpu user {seconds(run.user_s)} + system {seconds(run.system_s)} (the server's "
        f"{seconds(server_s)}), load average {load_average()}, peak RSS "
        f"{size(run.peak_rss)}; {report['pages']} pages, {report['retries']} retries, "
        f"{report['fetched']:,} fetched ({report['fetched'] / run.wall_s:,.0f} rows/s)"
    )
    for resource, part in report["resources"].items():
        ctx.log(
            f"    {resource}: {part['pages']} pages, fetched {part['fetched']:,}, inserted "
            f"{part['inserted']:,}, replaced {part['replaced']:,}, unchanged "
            f"{part['unchanged']:,}, rejected {part['rejected']:,}; watermark "
            f"{part['watermark_before']} -> {part['watermark_after']}"
        )


def _cpu(run: ChildRun) -> float:
    """User and system seconds of a child and its job process: less bent by a busy machine
    than its wall time."""
    return run.user_s + run.system_s


def _counts(data_dir: Path) -> tuple[int, int, int]:
    """Returns, registry schools and the sum of pupils in the published snapshot."""
    path = Settings(data_dir=data_dir).published_db
    conn = duckdb.connect(str(path), read_only=True)
    try:
        returns, pupils = conn.execute(
            "select count(*), sum(students) from core_school__period_returns"
        ).fetchone() or (0, 0)
        registry = conn.execute("select count(*) from raw_registry__schools").fetchone()
    finally:
        conn.close()
    return returns, registry[0] if registry else 0, int(pupils or 0)


def _differences(pulled: Path, ingested: Path) -> int:
    """Returns of one snapshot not in the other (every contract field compared), both ways."""
    names = ", ".join(f.name for f in load_contract().fields)
    conn = duckdb.connect()
    try:
        conn.execute(f"attach '{pulled}' as p (read_only)")
        conn.execute(f"attach '{ingested}' as f (read_only)")
        found = conn.execute(
            f"""select (select count(*) from (select {names} from p.core_school__period_returns
                        except all select {names} from f.core_school__period_returns))
                     + (select count(*) from (select {names} from f.core_school__period_returns
                        except all select {names} from p.core_school__period_returns))"""
        ).fetchone()
    finally:
        conn.close()
    return int(found[0]) if found else -1


def _check_full(report: dict[str, Any], counts: tuple[int, int, int], rows: int) -> list[str]:
    wrong = []
    for resource in RESOURCES:
        part = report["resources"][resource]
        if part["fetched"] != rows or part["inserted"] != rows or part["rejected"]:
            wrong.append(
                f"{resource}: fetched/inserted/rejected {part['fetched']}/"
                f"{part['inserted']}/{part['rejected']}, {rows} served"
            )
    if counts[0] != rows or counts[1] != rows:
        wrong.append(f"snapshot: {counts[0]} returns, {counts[1]} registry schools; {rows} served")
    return wrong


def _check_delta(
    report: dict[str, Any], before: tuple[int, int, int], after: tuple[int, int, int], rows: int
) -> list[str]:
    wrong = []
    for resource in RESOURCES:
        part = report["resources"][resource]
        fetched, replaced, unchanged = part["fetched"], part["replaced"], part["unchanged"]
        if replaced != CHANGED or part["inserted"] or part["rejected"]:
            wrong.append(
                f"{resource}: replaced {replaced}, inserted {part['inserted']}, "
                f"rejected {part['rejected']}; {CHANGED} changed at the source"
            )
        if fetched - replaced != unchanged or fetched >= rows:
            wrong.append(f"{resource}: fetched {fetched}, unchanged {unchanged}")
    if after[:2] != (rows, rows) or after[2] != before[2] + CHANGED:
        wrong.append(f"snapshot after the delta: {after} (before {before})")
    return wrong


def _provinces(csv: Path) -> list[str]:
    """The provinces of the national file (the source's units: it may write them all)."""
    header = load_contract().field("province_code").vi
    conn = duckdb.connect()
    try:
        found = conn.execute(
            f'select distinct "{header}" from read_csv(?, all_varchar=true) order by 1',
            [str(csv)],
        ).fetchall()
    finally:
        conn.close()
    return [row[0] for row in found]


def pull(ctx: Context) -> Outcome:
    """The ``pull`` target."""
    from tests.bench.targets import Figure, Outcome

    files = ctx.national
    provinces = _provinces(files.csv)
    errors: list[str] = []
    with vendor_process(ctx.log) as served, fresh_data_dir(ctx.keep) as data_dir:
        env = _declare(ctx, served.url, data_dir, provinces)
        server_before = served.cpu_s()
        full, report = _pull(ctx, "pull_full", env)
        server_full = served.cpu_s() - server_before
        _log_pull(ctx, "full pull (from nothing to published)", full, report, server_full)
        counts = _counts(data_dir)
        errors += _check_full(report, counts, files.rows)
        changed = httpx.post(f"{served.url}{CHANGE_PATH}", params={"n": CHANGED}, timeout=60)
        changed.raise_for_status()
        ctx.log(f"  changed at the source: {len(changed.json()['schools'])} schools")
        server_before = served.cpu_s()
        delta, delta_report = _pull(ctx, "pull_delta", env)
        _log_pull(ctx, "delta pull", delta, delta_report, served.cpu_s() - server_before)
        after = _counts(data_dir)
        errors += _check_delta(delta_report, counts, after, files.rows)
        pulled_db = Settings(data_dir=data_dir).published_db
        with fresh_data_dir(ctx.keep) as csv_dir:
            ctx.log(f"  ioc ingest {files.csv.name} into a fresh data dir")
            csv = ctx.run_ioc("pull_csv", ["ingest", str(files.csv)], csv_dir)
            if not csv.ok:
                errors.append(csv.failure())
            else:
                ctx.log(
                    f"  csv ingest: wall {seconds(csv.wall_s)}, cpu user {seconds(csv.user_s)} + "
                    f"system {seconds(csv.system_s)}, load average {load_average()}, peak RSS "
                    f"{size(csv.peak_rss)}"
                )
                ingested = Settings(data_dir=csv_dir).published_db
                # the delta added one pupil to 500 schools: those differ, both ways
                diff = _differences(pulled_db, ingested)
                ctx.log(f"  returns differing between the pulled and the CSV snapshots: {diff:,}")
                if diff != 2 * CHANGED:
                    errors.append(
                        f"{diff} returns differ from the CSV ingest, {2 * CHANGED} "
                        "expected (the 500 changed schools, both ways)"
                    )
    for line in errors:
        ctx.log(f"  !! {line}")
    ok = not errors
    return Outcome(
        [
            Figure("full pull", full.wall_s if ok else None, "s", FULL_LIMIT_S),
            Figure("full pull peak RSS", full.peak_rss if ok else None, "bytes", 1 * GB),
            Figure("full pull cpu", _cpu(full), "s"),
            Figure("server cpu", server_full, "s"),
            Figure("rows/s", report["fetched"] / full.wall_s, "n"),
            Figure("pages", report["pages"], "n"),
            Figure("retries", report["retries"], "n"),
            Figure("delta pull (500 changed)", delta.wall_s if ok else None, "s", DELTA_LIMIT_S),
            Figure("delta pull cpu", _cpu(delta), "s"),
            Figure("CLI start-up", ctx.cli_startup_s, "s"),
            Figure("csv ingest", csv.wall_s if csv.ok else None, "s"),
            Figure("pull/csv", full.wall_s / csv.wall_s if csv.ok else None, "x"),
            Figure("pull/csv cpu", _cpu(full) / _cpu(csv) if csv.ok else None, "x"),
        ],
        "; ".join(errors) or None,
    )


def main() -> None:
    """The pull a ``pull`` job does, in this process (for cProfile): the source of
    IOC_DATA_DIR's store, its secret, the job's working directory; prints the report."""
    from ingest.pull import pull as pull_source
    from ioc import store
    from ioc.sources.secrets import load_secret
    from ioc.store import sources

    settings = Settings()
    with store.open_session(store.make_engine(settings)) as session:
        found = sources.get_source(session, SOURCE)
        assert found is not None, f"no source {SOURCE}"
        spec = sources.spec_of(found)
    workdir = settings.data_dir / "pulls" / SOURCE
    workdir.mkdir(parents=True, exist_ok=True)
    secret = load_secret(settings, spec.secret)
    print(json.dumps(pull_source(spec, secret, settings, workdir=workdir), default=str))


if __name__ == "__main__":
    main()
