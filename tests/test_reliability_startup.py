"""D7/D8: a damaged database at startup, `zhibu check` and `zhibu backup`.

The app must refuse a corrupt, truncated or non-SQLite file with a clear
message and write nothing to it: same bytes, same mtime, no -wal/-shm.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from storage.db import open_store
from storage.errors import NotADatabaseError
from storage.migrations import SCHEMA_VERSION
from tests.reliability_helpers import file_state, integrity, raw, seed_db, sidecars, zhibu_exe


def _healthy(tmp: Path) -> Path:
    db = tmp / "data" / "zhibu.db"
    seed_db(db, demo_people=120)
    c = raw(db)
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.close()
    assert sidecars(db) == []  # at rest, as after a clean exit
    return db


def _page_size(data: bytes) -> int:
    size = int.from_bytes(data[16:18], "big")
    return 65536 if size == 1 else size


def _garbage_header(db: Path) -> None:
    data = bytearray(db.read_bytes())
    data[:100] = os.urandom(100)
    db.write_bytes(bytes(data))


def _truncated(db: Path) -> None:
    db.write_bytes(db.read_bytes()[: len(db.read_bytes()) // 2])


def _csv_renamed(db: Path) -> None:
    db.write_text("姓名,支部\n张三,一支部\n", encoding="utf-8")


def _zeros(db: Path) -> None:
    db.write_bytes(b"\x00" * 8192)


def _page_overwritten(db: Path) -> None:
    """Random bytes over a b-tree page: plain queries may still work; only
    quick_check notices (docs/ARCHITECTURE.md#storage)."""
    data = bytearray(db.read_bytes())
    ps = _page_size(data)
    c = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
    root = c.execute("SELECT rootpage FROM sqlite_master WHERE name='people'").fetchone()[0]
    c.close()
    start = (root - 1) * ps  # the people table's root page
    data[start + 8 : start + ps] = os.urandom(ps - 8)
    db.write_bytes(bytes(data))


DAMAGE: dict[str, Callable[[Path], None]] = {
    "garbage-header": _garbage_header,
    "truncated": _truncated,
    "csv-renamed": _csv_renamed,
    "zeros": _zeros,
    "page-overwritten": _page_overwritten,
}


@pytest.fixture(scope="module")
def healthy_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return _healthy(tmp_path_factory.mktemp("healthy")).read_bytes()


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_database_refused_and_untouched(
    damage: str, tmp_path: Path, healthy_bytes: bytes
) -> None:
    db = tmp_path / "data" / "zhibu.db"
    db.parent.mkdir(mode=0o700)
    db.write_bytes(healthy_bytes)
    DAMAGE[damage](db)
    os.utime(db, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    before = file_state(db)
    listing = sorted(os.listdir(db.parent))
    # The installed command, as a user would start it (no tty needed: it must
    # refuse before the UI starts).
    r = subprocess.run([zhibu_exe(), "--db", str(db)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 65, r.stdout + r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    assert str(db) in r.stderr and "程序没有改动它" in r.stderr
    assert file_state(db) == before
    assert sorted(os.listdir(db.parent)) == listing  # no -wal, -shm, crash log or .bak
    # `zhibu check` says what is wrong, also without writing anything.
    r = subprocess.run(
        [zhibu_exe(), "--db", str(db), "check"], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 65
    assert "Traceback" not in r.stderr + r.stdout
    assert ("完整性：有问题" in r.stdout) or ("错误" in r.stdout + r.stderr)
    assert file_state(db) == before
    assert sorted(os.listdir(db.parent)) == listing


def test_damage_under_a_hot_wal_is_refused_without_checkpointing_into_it(tmp_path: Path) -> None:
    """A crash left a -wal; the main file is damaged. Opening read-write and
    closing would checkpoint into it; the app must refuse before that."""
    db = _healthy(tmp_path)
    _page_overwritten(db)
    hot = sqlite3.connect(str(db))
    hot.execute("PRAGMA wal_autocheckpoint=0")
    hot.execute(
        "INSERT INTO drafts(owner, workflow, key, data, updated_at) VALUES ('x','y','z','{}','t')"
    )
    hot.commit()
    # Simulate the crash: copy the files as they are while the connection is open.
    wal = Path(str(db) + "-wal")
    crashed = tmp_path / "crashed"
    crashed.mkdir(mode=0o700)
    (crashed / "zhibu.db").write_bytes(db.read_bytes())
    (crashed / "zhibu.db-wal").write_bytes(wal.read_bytes())
    hot.close()
    target = crashed / "zhibu.db"
    before = target.read_bytes()
    with pytest.raises(NotADatabaseError, match="已损坏"):
        open_store(target, actor="t")
    assert target.read_bytes() == before
    assert (crashed / "zhibu.db-wal").exists()  # the WAL is left for recovery, not deleted


def test_check_reports_integrity_schema_version_and_audit(tmp_path: Path) -> None:
    db = _healthy(tmp_path)
    r = subprocess.run(
        [zhibu_exe(), "--db", str(db), "check"], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "完整性：ok" in r.stdout
    assert f"结构版本：{SCHEMA_VERSION}（程序支持 {SCHEMA_VERSION}）" in r.stdout
    assert "哈希链完整" in r.stdout
    assert sidecars(db) == []  # a check at rest leaves nothing behind


def test_backup_is_one_self_contained_verified_file(tmp_path: Path) -> None:
    db = _healthy(tmp_path)
    out = tmp_path / "backups" / "copy.db"
    r = subprocess.run(
        [zhibu_exe(), "--db", str(db), "backup", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    assert sidecars(out) == []
    assert integrity(out) == ["ok"]
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    c = raw(out)
    assert c.execute("SELECT count(*) FROM people").fetchone()[0] == 120
    assert c.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    c.close()
