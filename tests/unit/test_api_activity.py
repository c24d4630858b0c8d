"""Requests in flight, and the pause in them that background work waits for: in one process,
and across the worker processes of one server (real processes sharing the file)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from ioc.api.activity import (
    SLOT,
    SLOTS,
    Activity,
    ServerActivity,
    activity_of,
    remove_stale,
    server_file,
)
from ioc.config import Settings


def test_quiet_only_after_the_last_request_has_ended_for_the_pause() -> None:
    activity = Activity()
    assert activity.wait_quiet(0.0, 0.0)  # nothing ever asked
    activity.begin()
    activity.begin()
    assert not activity.wait_quiet(0.05, 0.1)  # two in flight
    activity.end()
    assert not activity.wait_quiet(0.05, 0.1)  # one still in flight
    activity.end()
    assert not activity.wait_quiet(10.0, 0.05)  # ended just now: no 10 s pause yet
    assert activity.wait_quiet(0.05, 1.0)


def test_a_waiter_goes_on_once_the_requests_pause() -> None:
    activity = Activity()
    activity.begin()
    waited: list[bool] = []
    waiter = threading.Thread(target=lambda: waited.append(activity.wait_quiet(0.05, 5.0)))
    waiter.start()
    time.sleep(0.1)
    assert waited == []  # still waiting while the request runs
    activity.end()
    waiter.join(5.0)
    assert waited == [True]


# another worker of the same server: counts its requests in the shared file, one per line of
# stdin ("begin", "end"), answering each with its count
WORKER = """
import sys
from pathlib import Path
from ioc.api.activity import ServerActivity
activity = ServerActivity(Path(sys.argv[1]))
print("ready", flush=True)
for line in sys.stdin:
    getattr(activity, line.strip())()
    print(line.strip(), flush=True)
"""


class Worker:
    """Another process of the server, asked over a pipe to begin and end requests."""

    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.ask(None) == "ready"

    def ask(self, what: str | None) -> str:
        assert self.process.stdin is not None and self.process.stdout is not None
        if what is not None:
            self.process.stdin.write(what + "\n")
            self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(10)


def test_the_workers_of_a_server_wait_for_each_others_requests(tmp_path: Path) -> None:
    path = tmp_path / "activity"
    here = ServerActivity(path)
    other = Worker(path)
    try:
        assert here.wait_quiet(0.0, 0.0)  # nothing asked anywhere
        assert other.ask("begin") == "begin"
        assert here.busy()[0] == 1
        assert not here.wait_quiet(0.05, 0.2)  # the other worker answers a request
        assert other.ask("end") == "end"
        assert not here.wait_quiet(10.0, 0.05)  # it ended just now: no 10 s pause yet
        assert here.wait_quiet(0.05, 1.0)
        here.begin()  # and the other way round: this worker's requests count for both
        third = ServerActivity(path)
        assert not third.wait_quiet(0.05, 0.2)
        here.end()
        assert third.wait_quiet(0.05, 1.0)
    finally:
        other.stop()


def test_a_worker_killed_while_answering_counts_no_more(tmp_path: Path) -> None:
    """Its slot is skipped, then taken by the worker that replaces it."""
    path = tmp_path / "activity"
    here = ServerActivity(path)
    other = Worker(path)
    assert other.ask("begin") == "begin"
    assert not here.wait_quiet(0.05, 0.2)
    other.stop()  # SIGKILL, its request in flight
    assert here.wait_quiet(0.05, 1.0)
    replacement = ServerActivity(path)
    slots = [SLOT.unpack_from(path.read_bytes(), n * SLOT.size)[0] for n in range(SLOTS)]
    assert slots[:3] == [os.getpid(), os.getpid(), 0]  # the dead worker's slot, taken again
    replacement.begin()
    assert not here.wait_quiet(0.05, 0.2)
    replacement.end()


def test_one_worker_counts_alone_several_share_the_servers_file(tmp_path: Path) -> None:
    assert type(activity_of(Settings(data_dir=tmp_path))) is Activity
    shared = activity_of(Settings(data_dir=tmp_path, workers=2))
    assert isinstance(shared, ServerActivity)
    assert server_file(os.getppid()).is_file()  # the serving process removes it at exit
    server_file(os.getppid()).unlink()


def test_a_link_in_the_servers_place_is_never_written_through(tmp_path: Path) -> None:
    """Someone else's link where the server's file goes (a shared temporary directory): the
    worker counts its own requests only, and the file the link points to is untouched."""
    target = tmp_path / "precious"
    target.write_text("keep me", encoding="utf-8")
    path = server_file(os.getppid())
    path.unlink(missing_ok=True)
    path.symlink_to(target)
    try:
        with pytest.raises(OSError):
            ServerActivity(path)
        assert type(activity_of(Settings(data_dir=tmp_path, workers=2))) is Activity
        assert target.read_text(encoding="utf-8") == "keep me"
    finally:
        path.unlink()


def _dead_pids(count: int) -> list[int]:
    """Pids of processes that ran and ended."""
    done = [subprocess.Popen([sys.executable, "-c", "pass"]) for _ in range(count)]
    for process in done:
        process.wait()
    return [process.pid for process in done]


def test_files_of_servers_killed_before_removing_theirs_are_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What ``ioc serve`` does first: a server killed with SIGKILL left its file; the files
    of live servers, other users' files and what a link names stay."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    stale, linked, others = (server_file(pid) for pid in _dead_pids(3))
    live, odd = server_file(os.getpid()), tmp_path / "ioc-activity-x"
    for path in (stale, others, live, odd):
        path.write_bytes(b"\0" * SLOT.size)
    target = tmp_path / "precious"
    target.write_text("keep me", encoding="utf-8")
    linked.symlink_to(target)
    if os.getuid() == 0:  # another user's file: only root can make one here
        os.chown(others, 65534, 65534)
    assert sorted(remove_stale()) == sorted(
        [stale, linked] + ([] if os.getuid() == 0 else [others])
    )
    assert not stale.exists() and not linked.is_symlink()
    assert live.is_file() and odd.is_file() and target.read_text(encoding="utf-8") == "keep me"
    assert others.is_file() == (os.getuid() == 0)
