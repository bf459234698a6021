"""R6 (issue 14): `zhibu backup` never replaces what it should not.

Failed before: `zhibu backup -o PATH` replaced whatever was at PATH (a copy of
/etc/passwd became an SQLite file, rc 0); with PATH = another session's live
database, that session's later saves vanished.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest

from storage import maintenance
from storage.db import open_store
from tests.reliability_helpers import demo_db
from tui.cli import main


def _backup(
    db: Path, out: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, str]:
    rc = main(["--db", str(db), "backup", "-o", str(out), *extra])
    got = capsys.readouterr()
    return rc, got.out + got.err


def test_existing_target_needs_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "data" / "z.db"
    demo_db(db)
    target = tmp_path / "passwd"
    target.write_bytes(b"root:x:0:0:root:/root:/bin/bash\n")
    rc, out = _backup(db, target, capsys)
    assert rc != 0 and "--force" in out and "Traceback" not in out
    assert target.read_bytes() == b"root:x:0:0:root:/root:/bin/bash\n"
    rc, out = _backup(db, target, capsys, "--force")
    assert rc == 0, out
    assert target.read_bytes().startswith(b"SQLite format 3\x00")


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_live_database_and_sidecars_always_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    db = tmp_path / "data" / "z.db"
    demo_db(db)
    store = open_store(db, actor="tester")  # a running session: -wal and -shm exist
    try:
        target = Path(f"{db}{suffix}")
        before = target.read_bytes()
        rc, out = _backup(db, target, capsys, "--force")
        assert rc != 0 and "Traceback" not in out
        assert target.read_bytes() == before
    finally:
        store.close()


def test_another_sessions_live_database_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "data" / "z.db"
    other = tmp_path / "other" / "o.db"
    demo_db(db)
    demo_db(other)
    store = open_store(other, actor="someone")
    try:
        before = other.read_bytes()
        rc, out = _backup(db, other, capsys, "--force")
        assert rc != 0 and "正在使用" in out
        assert other.read_bytes() == before
    finally:
        store.close()


def test_failed_backup_leaves_no_partial_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "data" / "z.db"
    demo_db(db)
    out_dir = tmp_path / "bk"
    out_dir.mkdir()

    def half(conn: sqlite3.Connection, target: Path) -> Path:
        target.write_bytes(b"SQLite format 3\x00 half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(maintenance, "backup_to", half)
    rc, out = _backup(db, out_dir / "b.db", capsys)
    assert rc != 0 and "Traceback" not in out
    assert list(out_dir.iterdir()) == []
