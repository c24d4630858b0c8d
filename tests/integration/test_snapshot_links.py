"""Processes sharing a data directory (docs/scale.md, "Several machines") open each build
through a hard link named after their host and process: two of them never collide, and one
removes only its own host's links to older builds (another machine's are its own business)."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

from ioc import db
from ioc.api.snapshot import Snapshot
from ioc.config import Settings


def test_a_process_opens_a_build_through_a_link_of_its_own_and_leaves_others_links(
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
    elsewhere = links / "read-1-2-4242@elsewhere.duckdb"  # another machine, older build
    gone = links / f"read-1-2-4242@{host}.duckdb"  # a process of this host, older build
    neighbour = links / f"read-{current}-4243@{host}.duckdb"  # another process, this build
    for link in (elsewhere, gone):
        os.link(older, link)
    os.link(settings.published_db, neighbour)

    snapshot = Snapshot(settings)
    build = snapshot.current()
    assert build is not None

    names = {p.name for p in links.glob("read-*.duckdb")}
    assert names == {elsewhere.name, neighbour.name, f"read-{current}-{os.getpid()}@{host}.duckdb"}
    snapshot.close()
