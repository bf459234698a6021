from __future__ import annotations

import multiprocessing
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from domain.org import OrgKind, OrgUnit
from domain.people import Person, PoliticalStatus
from storage import audit, counters, drafts, org, people
from storage.db import open_store
from storage.errors import NotADatabaseError, SchemaTooNewError, StaleRecordError
from storage.maintenance import backup, check
from storage.migrations import SCHEMA_VERSION
from storage.sql import is_database_url
from tests import factories

pytestmark = pytest.mark.both_engines

@pytest.mark.sqlite_only
def test_connection_pragmas(store) -> None:
    c = store.conn
    assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert c.execute("PRAGMA busy_timeout").fetchone()[0] >= 10_000
    assert c.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert c.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert c.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_private_files_regardless_of_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        path = tmp_path / "fresh" / "z.db"
        s = open_store(path, actor="t")
        org.save(s, OrgUnit(name="一支部", kind=OrgKind.BRANCH))
        s.close()
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for suffix in ("-wal", "-shm"):
        side = Path(str(path) + suffix)
        if side.exists():
            assert stat.S_IMODE(side.stat().st_mode) == 0o600


def _branch(store) -> OrgUnit:
    return org.save(store, OrgUnit(name="一支部", kind=OrgKind.BRANCH))


def test_stale_version_is_refused_with_who_and_when(store) -> None:
    b = _branch(store)
    p = people.save(store, Person(name="张伟", branch_id=b.id))
    assert p.version == 1
    mine = p.model_copy(update={"phone": "111"})
    theirs = p.model_copy(update={"phone": "222"})
    people.save(store, theirs)
    with pytest.raises(StaleRecordError) as exc:
        people.save(store, mine)
    assert "tester" in str(exc.value) and "修改" in str(exc.value)
    assert people.get(store, p.id).phone == "222"


def test_audit_written_in_same_transaction_and_append_only(store) -> None:
    b = _branch(store)
    p = people.save(store, Person(name="李明", branch_id=b.id))
    rows = store.query("SELECT actor, action, table_name FROM audit WHERE record_id=?", (p.id,))
    assert rows == [{"actor": "tester", "action": "create", "table_name": "people"}]
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.conn.execute("UPDATE audit SET actor='x'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store.conn.execute("DELETE FROM audit")


def test_check_detects_tampered_audit_row(store) -> None:
    from storage.maintenance import check_pg

    b = _branch(store)
    people.save(store, Person(name="王芳", branch_id=b.id))
    pg = store.dialect == "postgresql"
    checked = (lambda: check_pg(store.target)) if pg else (lambda: check(store.path))
    assert checked().ok
    c = store.conn
    if pg:
        # The table owner can switch the guard triggers off, as dropping one on SQLite.
        c.execute("ALTER TABLE audit DISABLE TRIGGER USER")
        c.execute("UPDATE audit SET actor='mallory' WHERE seq=1")
        c.execute("ALTER TABLE audit ENABLE TRIGGER USER")
    else:
        c.execute("DROP TRIGGER audit_no_update")
        c.execute("UPDATE audit SET actor='mallory' WHERE seq=1")
    report = checked()
    assert not report.ok
    assert any("篡改" in line for line in report.lines)


def test_audit_actor_ignores_logname(monkeypatch, tmp_path) -> None:
    import pwd

    monkeypatch.setenv("LOGNAME", "boss")
    monkeypatch.setenv("USER", "boss")
    s = open_store(tmp_path / "z.db")
    assert s.actor == pwd.getpwuid(os.getuid()).pw_name
    s.close()


def test_not_a_database_is_refused_and_untouched(tmp_path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_bytes(b"hello, this is not sqlite" * 10)
    before = bad.read_bytes()
    with pytest.raises(NotADatabaseError):
        open_store(bad)
    assert bad.read_bytes() == before
    assert not Path(str(bad) + "-wal").exists()


@pytest.mark.sqlite_only
def test_truncated_database_is_refused(store, tmp_path) -> None:
    _branch(store)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    data = store.path.read_bytes()
    cut = tmp_path / "cut.db"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(NotADatabaseError):
        open_store(cut)


def test_schema_newer_than_program_is_refused(tmp_path) -> None:
    path = tmp_path / "new.db"
    c = sqlite3.connect(path)
    c.execute(f"PRAGMA user_version={SCHEMA_VERSION + 5}")
    c.close()
    with pytest.raises(SchemaTooNewError):
        open_store(path)


def test_migrating_existing_database_takes_backup_first(tmp_path) -> None:
    path = tmp_path / "old.db"
    c = sqlite3.connect(path)
    c.execute("CREATE TABLE legacy(x)")
    c.execute("INSERT INTO legacy VALUES (42)")
    c.commit()
    c.close()
    s = open_store(path, actor="t")
    s.close()
    bak = tmp_path / "old.db.v0.bak"
    assert bak.exists()
    b = sqlite3.connect(bak)
    assert b.execute("SELECT x FROM legacy").fetchone() == (42,)
    b.close()


def test_drafts_roundtrip_per_user(store) -> None:
    drafts.save(store, "person", "new", {"values": {"name": "张三[/]"}}, "张三")
    assert drafts.load(store, "person", "new") == {"values": {"name": "张三[/]"}}
    assert [d.title for d in drafts.list_mine(store)] == ["张三"]
    other = open_store(store.path, actor="someone-else")
    assert drafts.load(other, "person", "new") is None
    other.close()
    drafts.discard(store, "person", "new")
    assert drafts.load(store, "person", "new") is None


@pytest.mark.sqlite_only
def test_backup_passes_integrity(demo_store, tmp_path) -> None:
    out = backup(demo_store.path, tmp_path / "b" / "copy.db")
    c = sqlite3.connect(out)
    assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert c.execute("SELECT count(*) FROM people").fetchone()[0] == 120
    c.close()


def _saver(target: str, n: int, tag: str) -> None:
    s = open_store(target if is_database_url(target) else Path(target), actor=tag)
    branch_id = s.scalar("SELECT id FROM org_units LIMIT 1")
    for i in range(n):
        people.save(s, Person(name=f"{tag}{i}", branch_id=branch_id, status=PoliticalStatus.MASSES))
    s.close()


def test_two_processes_saving_at_once_lose_nothing(store) -> None:
    _branch(store)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_saver, args=(str(store.target), 150, t)) for t in ("甲", "乙")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    assert people.count_all(store) == 300
    assert store.scalar("SELECT count(*) FROM audit WHERE table_name='people'") == 300
    assert audit.verify_chain(store.conn) == []
    if store.dialect == "sqlite":
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _counting_quick_checks(store, monkeypatch) -> list[int]:
    """Close *store* with one branch in it; return a list that grows per scan."""
    import storage.db as db

    _branch(store)
    store.close()
    calls: list[int] = []
    real = db.quick_check
    monkeypatch.setattr(db, "quick_check", lambda conn: calls.append(1) or real(conn))
    return calls


@pytest.mark.sqlite_only
def test_quick_check_skipped_only_for_an_unchanged_verified_file(store, monkeypatch) -> None:
    import storage.db as db

    calls = _counting_quick_checks(store, monkeypatch)
    path = store.path
    db.preflight(path)  # first look: scans and stamps
    assert len(calls) == 1 and db.verified_marker(path).exists()
    assert stat.S_IMODE(db.verified_marker(path).stat().st_mode) == 0o600
    db.preflight(path)  # unchanged: no scan
    assert len(calls) == 1
    s = open_store(path, actor="t")  # a write changes the file …
    org.save(s, OrgUnit(name="二支部", kind=OrgKind.BRANCH))
    s.close()
    db.preflight(path)  # … so the next start scans again
    assert len(calls) == 2


def test_quick_check_skipped_for_an_unchanged_file_in_use(store, monkeypatch) -> None:
    """Another session open (or a killed one's -wal left behind) does not make
    every start scan the whole file: the main file's stamp still decides."""
    import storage.db as db

    calls = _counting_quick_checks(store, monkeypatch)
    path = store.path
    db.preflight(path)
    other = open_store(path, actor="other")  # a colleague is working
    org.save(other, OrgUnit(name="三支部", kind=OrgKind.BRANCH))  # lands in the -wal
    assert db.maybe_in_use(path)
    db.preflight(path)
    assert len(calls) == 1
    other.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # now the main file changed
    db.preflight(path)
    assert len(calls) == 2
    db.preflight(path)  # passed while in use: stamped, not scanned again
    assert len(calls) == 2
    other.close()


def test_counters_follow_inserts_imports_moves_and_deletes(store) -> None:
    def truth() -> tuple[int, int]:
        return (
            store.scalar("SELECT count(*) FROM people"),
            store.scalar("SELECT count(*) FROM org_units WHERE kind='党支部'"),
        )

    _top, branches = factories.org_tree(store, ("一支部", "二支部", "三支部"))
    start = sum(len(b.members) for b in branches)
    assert (people.count_all(store), counters.branches(store)) == truth() == (start, 3)
    b = org.save(store, OrgUnit(name="新支部", kind=OrgKind.BRANCH))
    p = people.save(store, Person(name="新人", branch_id=b.id))
    people.import_people(store, [Person(name=f"导入{i}", branch_id=b.id) for i in range(3)])
    people.move(store, p, branches[0].id, None)
    assert (people.count_all(store), counters.branches(store)) == truth() == (start + 4, 4)
    with store.write() as c:
        c.execute("DELETE FROM person_keys WHERE person_id=?", (p.id,))
        c.execute("DELETE FROM people WHERE id=?", (p.id,))
    assert people.count_all(store) == truth()[0] == start + 3
