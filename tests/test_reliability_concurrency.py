"""D3/D4/D5/D8: several writers, the deferred-upgrade trap, lost updates, online backup."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from domain.people import Person
from screens.roster.person_form import PersonForm
from screens.roster.roster import RosterScreen
from storage import drafts, people
from storage.audit import verify_chain
from storage.db import open_store
from storage.errors import StaleRecordError, StorageError
from tests.reliability_helpers import (
    TODAY,
    contend_writer,
    demo_db,
    integrity,
    raw,
    runs,
    seed_db,
    start,
    zhibu_exe,
)

WRITERS = 6
SAVES = runs(300, 300)  # the full 6 x 300 is cheap enough for every run


def _run_writers(db: Path, branch: str, tmp: Path, saves: int) -> list[dict]:
    outs = [tmp / f"out{w}.json" for w in range(WRITERS)]
    children = [
        start(contend_writer, str(db), branch, w, saves, str(o)) for w, o in enumerate(outs)
    ]
    for child in children:
        child.join(120)
        assert child.exitcode == 0
    return [json.loads(o.read_text()) for o in outs]


def _expected_rows(saves: int) -> tuple[int, int]:
    creates = len(range(0, saves, 3))
    return creates, saves  # people rows per writer, audit rows per writer


@pytest.mark.slow
def test_six_processes_save_concurrently_without_losing_any(tmp_path: Path) -> None:
    db = tmp_path / "data" / "contend.db"
    branch = seed_db(db)
    base_audit = raw(db).execute("SELECT count(*) FROM audit").fetchone()[0]
    results = _run_writers(db, branch, tmp_path, SAVES)
    assert [r["errors"] for r in results] == [[]] * WRITERS
    assert [r["done"] for r in results] == [SAVES] * WRITERS
    creates, audits = _expected_rows(SAVES)
    c = raw(db)
    try:
        for w in range(WRITERS):
            assert (
                c.execute("SELECT count(*) FROM people WHERE team=?", (f"w{w}",)).fetchone()[0]
                == creates
            )
            assert (
                c.execute("SELECT count(*) FROM audit WHERE actor=?", (f"worker{w}",)).fetchone()[0]
                == audits
            )
            # Every versioned update landed on top of the previous one.
            version = c.execute(
                "SELECT version FROM meetings WHERE updated_by=?", (f"worker{w}",)
            ).fetchone()[0]
            assert version == len(range(2, SAVES, 3))
        total = c.execute("SELECT count(*) FROM audit").fetchone()[0]
        assert total == base_audit + WRITERS * audits
        # Concurrent appends still form one unbroken hash chain.
        assert verify_chain(c) == []
    finally:
        c.close()
    assert integrity(db) == ["ok"]


@pytest.mark.slow
def test_online_backup_while_six_processes_write(tmp_path: Path) -> None:
    db = tmp_path / "data" / "live.db"
    branch = demo_db(db)
    outs = [tmp_path / f"b{w}.json" for w in range(WRITERS)]
    saves = runs(50, 300)
    children = [
        start(contend_writer, str(db), branch, w, saves, str(o)) for w, o in enumerate(outs)
    ]
    try:
        time.sleep(0.05)  # let the writers get going
        before = raw(db).execute("SELECT count(*) FROM audit").fetchone()[0]
        backup = tmp_path / "bak" / "copy.db"
        r = subprocess.run(
            [zhibu_exe(), "--db", str(db), "backup", "-o", str(backup)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert r.returncode == 0, r.stderr
        assert "完整性检查通过" in r.stdout
        check = subprocess.run(
            [zhibu_exe(), "--db", str(db), "check"], capture_output=True, text=True, timeout=60
        )
        assert check.returncode == 0, check.stdout + check.stderr
        assert "完整性：ok" in check.stdout
    finally:
        for child in children:
            child.join(120)
    assert [json.loads(o.read_text())["errors"] for o in outs] == [[]] * WRITERS
    assert integrity(backup) == ["ok"]
    c = raw(backup)
    try:
        assert c.execute("SELECT count(*) FROM audit").fetchone()[0] >= before
        assert verify_chain(c) == []
    finally:
        c.close()


def test_read_then_write_never_hits_busy_snapshot(tmp_path: Path) -> None:
    """D4: a deferred read-then-write fails at once with SQLITE_BUSY_SNAPSHOT
    (negative control); the Store's write path waits and succeeds."""
    db = tmp_path / "data" / "snap.db"
    branch = seed_db(db)
    # Control: the trap exists in plain sqlite3 with a deferred BEGIN.
    a, b = raw(db), raw(db)
    a.execute("BEGIN")
    a.execute("SELECT count(*) FROM people").fetchone()
    b.execute(
        "INSERT INTO drafts(owner, workflow, key, data, updated_at) VALUES ('b','x','1','{}','t')"
    )
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        a.execute(
            "INSERT INTO drafts(owner, workflow, key, data, updated_at) VALUES ('a','x','1','{}','t')"
        )
    a.execute("ROLLBACK")
    a.close()
    b.close()
    # The app's path: A reads, B holds the write lock for a while, A saves.
    sa, sb = open_store(db, actor="a"), open_store(db, actor="b")
    try:
        p = people.save(sa, Person(name="甲", branch_id=branch))
        assert people.get(sa, p.id) is not None  # a read on A's connection
        holding, release = threading.Event(), threading.Event()

        def hold() -> None:
            s = open_store(db, actor="holder")
            with s.write() as c:
                c.execute("UPDATE drafts SET data=data")
                holding.set()
                release.wait(5)
            s.close()

        t = threading.Thread(target=hold)
        t.start()
        holding.wait(5)
        threading.Timer(0.3, release.set).start()
        saved = people.save(sa, p.model_copy(update={"phone": "13900000000"}))  # waits, then saves
        t.join()
        assert saved.version == 2
        people.save(sb, Person(name="乙", branch_id=branch))
    finally:
        sa.close()
        sb.close()


def test_write_lock_held_too_long_gives_a_message_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Retries are bounded: a stuck writer elsewhere turns into a clear message.

    The worst-case wait is added up from what the code asked for (each
    busy_timeout it set before a BEGIN IMMEDIATE, each back-off sleep), so
    the bound is checked without timing anything."""
    import storage.db as dbmod

    db = tmp_path / "data" / "stuck.db"
    branch = seed_db(db)
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 300)
    monkeypatch.setattr(dbmod, "WRITE_DEADLINE_S", 1.0, raising=False)  # absent before the fix
    sleeps: list[float] = []
    real_sleep = dbmod.time.sleep

    def sleep(s: float) -> None:
        sleeps.append(s)
        real_sleep(s)

    monkeypatch.setattr(dbmod.time, "sleep", sleep)
    blocker = raw(db)
    blocker.execute("BEGIN IMMEDIATE")
    store = open_store(db, actor="t", migrate=False)
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        with pytest.raises(StorageError, match="正忙"):
            people.save(store, Person(name="丙", branch_id=branch))
    finally:
        store.conn.set_trace_callback(None)
        blocker.execute("ROLLBACK")
        blocker.close()
    busy_ms, waited = dbmod.BUSY_TIMEOUT_MS, 0.0
    for sql in statements:
        if sql.startswith("PRAGMA busy_timeout="):
            busy_ms = int(sql.split("=")[1])
        elif sql == "BEGIN IMMEDIATE":
            waited += busy_ms / 1000
    assert statements.count("BEGIN IMMEDIATE") >= 2  # it did retry …
    assert waited + sum(sleeps) <= dbmod.WRITE_DEADLINE_S  # … within the deadline
    assert store.scalar("PRAGMA busy_timeout") == dbmod.BUSY_TIMEOUT_MS  # restored
    people.save(store, Person(name="丙", branch_id=branch))  # fine once the lock is gone
    store.close()


def test_stale_save_from_another_process_is_refused_with_who_and_when(tmp_path: Path) -> None:
    """D5 at storage level, two stores on one file: nothing silently overwritten."""
    db = tmp_path / "data" / "stale.db"
    branch = seed_db(db)
    alice, bob = open_store(db, actor="alice"), open_store(db, actor="bob")
    try:
        p = people.save(alice, Person(name="张伟", branch_id=branch))
        a_copy, b_copy = people.get(alice, p.id), people.get(bob, p.id)
        saved = people.save(alice, a_copy.model_copy(update={"phone": "13900000001"}))
        with pytest.raises(StaleRecordError) as exc:
            people.save(bob, b_copy.model_copy(update={"phone": "13900000002"}))
        assert exc.value.by == "alice" and exc.value.at == saved.updated_at
        assert "alice" in str(exc.value) and saved.updated_at in str(exc.value)
        row = people.get(bob, p.id)
        assert row.phone == "13900000001" and row.version == 2
        assert bob.scalar("SELECT count(*) FROM audit WHERE actor='bob'") == 0
    finally:
        alice.close()
        bob.close()


async def test_two_apps_edit_the_same_person(tmp_path: Path) -> None:
    """D5 in the UI: two app instances on one file, both open the same form, both save."""
    from tui.app import make_app

    db = tmp_path / "data" / "two.db"
    demo_db(db)
    sa, sb = open_store(db, actor="alice"), open_store(db, actor="bob")
    a, b = make_app(db, store=sa, today=TODAY), make_app(db, store=sb, today=TODAY)
    try:
        async with a.run_test(size=(80, 24)) as pa, b.run_test(size=(80, 24)) as pb:
            for pilot in (pa, pb):
                await pilot.press("r")
                await pilot.pause()
                assert isinstance(pilot.app.screen, RosterScreen)
                await pilot.press("e")
                await pilot.pause()
            fa, fb = a.screen, b.screen
            assert isinstance(fa, PersonForm) and isinstance(fb, PersonForm)
            assert fa.person.id == fb.person.id
            pid = fa.person.id
            fa.query_one("#f-phone", Input).value = "13900000001"
            fb.query_one("#f-phone", Input).value = "13900000002"
            await pa.pause()
            await pb.pause()
            await pa.press("ctrl+s")
            await pa.pause()
            assert isinstance(a.screen, RosterScreen)  # first save went through
            await pb.press("ctrl+s")
            await pb.pause()
            # The second save is refused: the form stays open with its typed value …
            assert b.screen is fb
            assert fb.query_one("#f-phone", Input).value == "13900000002"
            status = str(fb.query_one("#form-status", Static).render())
            saved = people.get(sb, pid)
            assert "alice" in status and saved.updated_at in status
            assert any("alice" in n.message for n in b._notifications)
            # … and its typing is still kept as bob's draft.
            sb_draft = drafts.load(sb, "person", pid) or b.drafts.load("person", pid)
            assert sb_draft and sb_draft["values"]["phone"] == "13900000002"
        assert people.get(sa, pid).phone == "13900000001"  # nothing silently overwritten
        assert (
            sa.scalar("SELECT count(*) FROM audit WHERE actor='bob' AND record_id=?", (pid,)) == 0
        )
    finally:
        sa.close()
        sb.close()
