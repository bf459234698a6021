"""R7: another process holds the write lock; the installed app in a pty.

Before: every draft save ran on the UI thread and waited up to 20 s for the
lock, so the screen froze with no indicator, and a hang-up during that wait
exited after ~23 s with 142 (the SIGALRM watchdog), not 129.

The lock is held by a plain sqlite3 connection of this (test) process:
``BEGIN IMMEDIATE`` and nothing else. By default it is released as soon as
the screen has shown what is checked; ZHIBU_SLOW=1 holds it 25 s, past the
store's 20 s deadline, so the waiting save must outlast the deadline.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from storage.db import WRITE_DEADLINE_S, open_store
from storage.identity import current_actor
from tests.reliability_helpers import SLOW, TODAY, PtyApp, demo_db, raw

pytest.importorskip("pexpect")
pytest.importorskip("pyte")
pytestmark = pytest.mark.xdist_group("pty")

HOME = "采油一队党支部"
FORM = "Esc 关闭并保留草稿"
BUSY = "数据库忙，正在等待"
HOLD_S = WRITE_DEADLINE_S + 5 if SLOW else 0.0  # at least this long


def _demo(tmp: Path) -> Path:
    db = tmp / "data" / "zhibu.db"
    demo_db(db)
    return db


def _people_named(db: Path, name: str) -> int:
    c = raw(db)
    try:
        return c.execute("SELECT count(*) FROM people WHERE name=?", (name,)).fetchone()[0]
    finally:
        c.close()


def _open_form(app: PtyApp) -> None:
    app.wait_for(HOME)
    app.send("r")  # from the roster the form knows the branch
    app.wait_for("花名册")
    app.send("a")
    app.wait_for(FORM)


def test_save_waiting_for_the_lock_keeps_the_screen_responsive(tmp_path: Path) -> None:
    db = _demo(tmp_path)
    app = PtyApp(["--db", str(db)], size=(30, 100))
    holder = raw(db)
    try:
        _open_form(app)
        holder.execute("BEGIN IMMEDIATE")
        held_at = time.monotonic()
        app.send("等锁")
        app.wait_for("等锁", timeout=5)
        app.wait_for(BUSY, timeout=5)  # the draft write waits, and says so
        app.send("人")  # the screen still takes keys while it waits
        app.wait_for("等锁人", timeout=3)
        app.send("\x13")  # Ctrl+S: the save waits for the lock too
        app.wait_for("正在保存", timeout=5)
        assert _people_named(db, "等锁人") == 0
        while time.monotonic() - held_at < HOLD_S:
            app.pump(0.2)
            assert BUSY in app.text()  # still waiting, still saying so
        holder.execute("ROLLBACK")
        deadline = time.monotonic() + 10
        while _people_named(db, "等锁人") == 0 and time.monotonic() < deadline:
            app.pump(0.1)
        assert _people_named(db, "等锁人") == 1  # the lock freed: the save completed
        deadline = time.monotonic() + 5
        while (FORM in app.text() or BUSY in app.text()) and time.monotonic() < deadline:
            app.pump(0.1)
        screen = app.text()
        assert FORM not in screen and BUSY not in screen  # form closed, header clear
        app.send("\x11")  # Ctrl+Q
        status = app.wait_exit(10)
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()
        app.close()
    assert status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    c = raw(db)
    assert c.execute("SELECT count(*) FROM drafts WHERE workflow='person'").fetchone()[0] == 0
    c.close()


async def _form_on_next_start(db: Path) -> str:
    from textual.widgets import Input

    from tui.app import make_app

    store = open_store(db, actor=current_actor())
    try:
        app = make_app(db, store=store, today=TODAY)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("a")
            await pilot.pause()
            return app.screen.query_one("#f-name", Input).value
    finally:
        store.close()


async def test_hang_up_while_waiting_for_the_lock_exits_129_with_the_draft(
    tmp_path: Path,
) -> None:
    db = _demo(tmp_path)
    app = PtyApp(["--db", str(db)], size=(30, 100))
    holder = raw(db)
    try:
        app.wait_for(HOME)
        app.send("a")
        app.wait_for(FORM)
        holder.execute("BEGIN IMMEDIATE")
        app.send("挂断李")
        app.wait_for("挂断李", timeout=5)
        app.wait_for(BUSY, timeout=5)  # the draft write is waiting for the lock
        hung_at = time.monotonic()
        app.hang_up()
        status = app.wait_exit(5)
        took = time.monotonic() - hung_at
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()
        app.close()
    assert status is not None, "zhibu still running 5 s after hang-up"
    assert os.WIFEXITED(status), f"killed by signal {os.WTERMSIG(status)}"
    assert os.WEXITSTATUS(status) == 129 and took < 5
    assert await _form_on_next_start(db) == "挂断李"  # spilled, restored on start


def test_a_write_left_on_the_ui_thread_waits_at_most_its_patience(tmp_path: Path) -> None:
    """Screens not yet saving through widgets.background_save still write on
    the UI thread: the app bounds that wait (tui.app.UI_WRITE_PATIENCE_S)
    instead of the 20 s deadline; the refusal keeps the input (BusyError)."""
    from domain.people import Person
    from storage import people
    from storage.errors import BusyError
    from tests.reliability_helpers import seed_db

    db = tmp_path / "data" / "ui.db"
    branch = seed_db(db)
    store = open_store(db, actor="t", migrate=False)
    holder = raw(db)
    try:
        store.set_patience_here(0.5)
        holder.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        with pytest.raises(BusyError, match="您的输入已保留"):
            people.save(store, Person(name="界面线程", branch_id=branch))
        assert time.monotonic() - started < 0.5 + 0.5  # one slice of slack, not 20 s
        holder.execute("ROLLBACK")
        store.set_patience_here(None)
        people.save(store, Person(name="界面线程", branch_id=branch))
    finally:
        if holder.in_transaction:
            holder.execute("ROLLBACK")
        holder.close()
        store.close()
    assert _people_named(db, "界面线程") == 1
