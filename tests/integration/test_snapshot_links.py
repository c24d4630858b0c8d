"""Processes sharing a data directory (docs/scale.md, "Several machines") open each build
through a hard link named after their host (made under a file lock the processes share,
tests/integration/test_workers.py), and remove only their own host's links to older builds:
on a network file system another machine's readers would lose theirs."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

from ioc import db
from ioc.api.snapshot import Snapshot
from ioc.config import Settings


def test_a_process_removes_only_its_own_hosts_links_to_older_builds(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    with db.writer(settings):
        pass  # an empty build, published
    links, host = settings.build_dir, socket.gethostname()
    older = links / "older.duckdb"
    shutil.copyfile(settings.published_db, older)  # another inode: an older build
    stat = settings.published_db.stat()
    current = f"{stat.st_ino}-{stat.st_mtime_ns}"
    elsewhere = links / "read-1-2@elsewhere.duckdb"  # another machine, an older build
    gone = links / f"read-1-2@{host}.duckdb"  # this host, an older build
    there = links / f"read-{current}@elsewhere.duckdb"  # another machine, this build
    for link in (elsewhere, gone):
        os.link(older, link)
    os.link(settings.published_db, there)

    snapshot = Snapshot(settings)
    build = snapshot.current()
    assert build is not None

    names = {p.name for p in links.glob("read-*.duckdb")}
    assert names == {elsewhere.name, there.name, f"read-{current}@{host}.duckdb"}
    snapshot.close()
