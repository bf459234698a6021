"""S1-S3: private files regardless of umask, the audit actor, the audit trail.

Files: the data folder 0700; the database, -wal, -shm, spilled drafts, the
crash log, exports and backups 0600. The actor is the real account (uid, or
SUDO_UID under sudo from root), never LOGNAME/USER. Audit rows cannot be
changed through SQL, and `zhibu check` notices a row changed behind the
app's back.
"""

from __future__ import annotations

import os
import pwd
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest

from domain.people import Person
from exports import minutes
from storage import meetings, people
from storage.db import open_store
from storage.maintenance import backup
from storage.paths import ensure_private_dir, resolve_db_path
from tests.reliability_helpers import demo_db, raw, seed_db, zhibu_exe
from tui.cli import main
from tui.crash import write_crash_log


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("umask", [0o000, 0o002, 0o022], ids=["000", "002", "022"])
def test_every_file_is_private_regardless_of_umask(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        db = tmp_path / "data" / "zhibu.db"
        branch = seed_db(db, actor="t")
        store = open_store(db, actor="t")
        people.save(store, Person(name="张三", branch_id=branch))
        assert _mode(db.parent) == 0o700
        assert _mode(db) == 0o600
        for side in ("-wal", "-shm"):
            assert _mode(Path(str(db) + side)) == 0o600
        log = write_crash_log(db, RuntimeError("x"))
        assert _mode(log) == 0o600
        store.close()
        # Exports, as the meeting screen writes them.
        demo = tmp_path / "demo" / "zhibu.db"
        demo_db(demo)
        s = open_store(demo, actor="t")
        meeting = meetings.get(
            s, str(s.scalar("SELECT id FROM meetings WHERE status='已完成' LIMIT 1"))
        )
        s.close()
        out = demo.parent / "exports"
        ensure_private_dir(out)
        doc = minutes.export(meeting, out)
        assert _mode(out) == 0o700 and _mode(doc) == 0o600
        # Backups.
        copy = backup(db, tmp_path / "bak" / "copy.db")
        assert _mode(copy) == 0o600 and _mode(copy.parent) == 0o700
    finally:
        os.umask(old)


def test_a_legacy_database_is_backed_up_privately_before_migrating(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        legacy = tmp_path / "old.db"
        c = sqlite3.connect(legacy)
        c.execute("CREATE TABLE legacy(x)")
        c.commit()
        c.close()
        assert _mode(legacy) == 0o644  # what SQLite itself creates
        open_store(legacy, actor="t").close()
        assert _mode(legacy) == 0o640  # never left world-readable
        assert _mode(tmp_path / "old.db.v0.bak") == 0o600
    finally:
        os.umask(old)


def test_the_apps_own_data_folder_is_tightened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("ZHIBU_DB", raising=False)
    folder = tmp_path / "xdg" / "zhibu"
    folder.mkdir(parents=True)
    os.chmod(folder, 0o755)  # e.g. made by hand, or by an older version
    open_store(resolve_db_path(None), actor="t").close()
    assert _mode(folder) == 0o700
    # A folder the user chose with --db keeps its mode (it may be shared on purpose).
    chosen = tmp_path / "shared"
    chosen.mkdir()
    os.chmod(chosen, 0o750)
    open_store(chosen / "z.db", actor="t").close()
    assert _mode(chosen) == 0o750 and _mode(chosen / "z.db") == 0o600


def _real_name() -> str:
    return pwd.getpwuid(os.getuid()).pw_name


def test_audit_actor_ignores_logname_and_user(tmp_path: Path) -> None:
    """The installed command, with a spoofed environment."""
    db = tmp_path / "data" / "zhibu.db"
    demo_db(db)
    csv = tmp_path / "p.csv"
    csv.write_text("姓名,支部\n冒名者,采油一队党支部\n", encoding="utf-8")
    env = {**os.environ, "LOGNAME": "boss", "USER": "boss", "LNAME": "boss", "USERNAME": "boss"}
    env.pop("SUDO_UID", None)
    r = subprocess.run(
        [zhibu_exe(), "--db", str(db), "import", "people", str(csv)],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    c = raw(db)
    actor = c.execute("SELECT actor FROM audit ORDER BY seq DESC LIMIT 1").fetchone()[0]
    by = c.execute("SELECT updated_by FROM people WHERE name='冒名者'").fetchone()[0]
    c.close()
    assert actor == by == _real_name() != "boss"


def test_sudo_uid_names_the_caller_only_when_running_as_root(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import storage.identity as identity

    nobody = pwd.getpwnam("nobody")
    monkeypatch.setenv("LOGNAME", "boss")
    monkeypatch.setattr(identity.os, "getuid", lambda: 0)
    monkeypatch.setenv("SUDO_UID", str(nobody.pw_uid))
    # `sudo zhibu` by nobody: root acts, for nobody (SUDO_UID is only an
    # environment variable root can set by hand, so both are recorded).
    assert identity.current_actor() == "root(as nobody)"
    # Anyone else can set SUDO_UID themselves: it is ignored.
    monkeypatch.setattr(identity.os, "getuid", lambda: nobody.pw_uid)
    monkeypatch.setenv("SUDO_UID", "0")
    assert identity.current_actor() == "nobody"


# -- the audit trail ---------------------------------------------------------


@pytest.fixture
def audited(tmp_path: Path) -> Path:
    db = tmp_path / "data" / "zhibu.db"
    branch = seed_db(db)
    store = open_store(db, actor="alice")
    for name in ("甲", "乙", "丙", "丁"):
        people.save(store, Person(name=name, branch_id=branch))
    store.close()
    return db


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit SET actor='mallory' WHERE seq=2",
        "UPDATE audit SET detail=''",
        "DELETE FROM audit WHERE seq=2",
        "DELETE FROM audit",
    ],
)
def test_audit_rows_cannot_be_updated_or_deleted(audited: Path, sql: str) -> None:
    c = raw(audited)
    before = c.execute("SELECT * FROM audit ORDER BY seq").fetchall()
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        c.execute(sql)
    assert c.execute("SELECT * FROM audit ORDER BY seq").fetchall() == before
    c.close()


def _check(db: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    rc = main(["--db", str(db), "check"])
    out = capsys.readouterr()
    return rc, out.out + out.err


REPLACE_ROW = (
    "INSERT OR REPLACE INTO audit(seq, at, actor, action, table_name, record_id, detail, prev_hash, hash)"
    " SELECT seq, at, 'mallory', action, table_name, record_id, detail, prev_hash, hash"
    " FROM audit WHERE seq=2"
)
TAMPERING = {
    "row-altered": [
        "DROP TRIGGER audit_no_update",
        "UPDATE audit SET actor='mallory' WHERE seq=3",
    ],
    "row-removed": ["DROP TRIGGER audit_no_delete", "DELETE FROM audit WHERE seq=3"],
    "tail-removed": [
        "DROP TRIGGER audit_no_delete",
        "DELETE FROM audit WHERE seq=(SELECT max(seq) FROM audit)",
    ],
    # INSERT OR REPLACE deletes the old row without firing the DELETE trigger.
    "replaced": ["DROP TRIGGER IF EXISTS audit_no_replace", REPLACE_ROW],
    "triggers-dropped": ["DROP TRIGGER audit_no_update", "DROP TRIGGER audit_no_delete"],
}


@pytest.mark.parametrize("tamper", TAMPERING)
def test_check_reports_an_audit_trail_changed_behind_the_apps_back(
    audited: Path, tamper: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, out = _check(audited, capsys)
    assert rc == 0 and "哈希链完整" in out
    c = raw(audited)
    for sql in TAMPERING[tamper]:
        c.execute(sql)
    c.close()
    rc, out = _check(audited, capsys)
    assert rc == 65
    assert "审计日志：" in out and "哈希链完整" not in out


def test_insert_or_replace_cannot_rewrite_an_audit_row(audited: Path) -> None:
    c = raw(audited)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        c.execute(REPLACE_ROW)
    c.close()
