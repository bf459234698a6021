"""R5b (issue 14): writes stop when the database file or its -wal is not the one
opened (device and inode).

Failed before: with the -wal deleted under a running session, or a backup copied
over the live file, sessions ended up on different files; a committed save and
its audit row silently vanished.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from domain.people import Person
from storage import people
from storage.db import open_store, wal_path
from storage.errors import FileReplacedError
from tests.reliability_helpers import demo_db


def _opened(tmp_path: Path):  # type: ignore[no-untyped-def]
    db = tmp_path / "data" / "z.db"
    branch = demo_db(db)
    store = open_store(db, actor="tester")
    people.save(store, Person(name="先存", branch_id=branch))
    return db, branch, store


def test_wal_deleted_under_a_running_session_stops_writes(tmp_path: Path) -> None:
    db, branch, store = _opened(tmp_path)
    try:
        os.unlink(wal_path(db))
        with pytest.raises(FileReplacedError, match="已停止写入"):
            people.save(store, Person(name="后存", branch_id=branch))
        with pytest.raises(FileReplacedError):  # and it stays stopped
            people.save(store, Person(name="再存", branch_id=branch))
    finally:
        store.close()


def test_copy_moved_over_the_live_file_stops_writes(tmp_path: Path) -> None:
    db, branch, store = _opened(tmp_path)
    try:
        copy = tmp_path / "copy.db"
        shutil.copyfile(db, copy)
        os.replace(copy, db)
        with pytest.raises(FileReplacedError, match="被替换"):
            people.save(store, Person(name="后存", branch_id=branch))
    finally:
        store.close()


def test_unchanged_files_keep_writing(tmp_path: Path) -> None:
    db, branch, store = _opened(tmp_path)
    try:
        for i in range(3):
            people.save(store, Person(name=f"照常{i}", branch_id=branch))
        store.close()
        store = open_store(db, actor="tester")  # a new session: new -wal, fine
        people.save(store, Person(name="新会话", branch_id=branch))
    finally:
        store.close()
