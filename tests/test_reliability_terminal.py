"""U2/U4/U5 in a real pty: SSH hang-up, escape injection, a GBK client.

These drive the installed `zhibu` command and read its raw output bytes.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from storage import drafts
from storage.db import open_store
from storage.identity import current_actor
from tests.reliability_helpers import TODAY, PtyApp, demo_db, session_members

pytest.importorskip("pexpect")
pytest.importorskip("pyte")

# Real ptys read against timeouts: one at a time on one xdist worker (make test
# runs with --dist loadgroup), so two terminal sessions never race each other.
pytestmark = pytest.mark.xdist_group("pty")

HOME = "采油一队党支部"
FORM = "Esc 关闭并保留草稿"
TYPED = "夜班张三"


def _demo(tmp: Path) -> Path:
    db = tmp / "data" / "zhibu.db"
    demo_db(db)
    return db


def _hang_up_and_reap(app: PtyApp) -> int:
    app.hang_up()
    status = app.wait_exit(5)
    assert status is not None, "zhibu still running 5 s after hang-up"
    return status


def _assert_no_orphans(sid: int) -> None:
    deadline = time.monotonic() + 5
    while session_members(sid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert session_members(sid) == [], "processes of the dropped session still running"


async def _draft_on_next_start(db: Path) -> str:
    """Start the app again on the same file; what the new-person form shows."""
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


@pytest.mark.parametrize("nohup", [False, True], ids=["sighup", "sighup-ignored"])
async def test_hang_up_keeps_exactly_the_typed_text(tmp_path: Path, nohup: bool) -> None:
    """Closing the pty master is what sshd does on a dropped link. Under nohup
    SIGHUP is ignored on entry; the app installs its own handler regardless, so
    it neither loses the draft nor lingers as a CPU-spinning orphan."""
    db = _demo(tmp_path)
    app = PtyApp(["--db", str(db)], ignore_sighup=nohup)
    try:
        app.wait_for(HOME)
        app.send("a")
        app.wait_for(FORM)
        app.send(TYPED)
        app.wait_for(TYPED)
        status = _hang_up_and_reap(app)
    finally:
        app.close()
    assert os.WIFEXITED(status), f"killed by signal {os.WTERMSIG(status)}"
    assert os.WEXITSTATUS(status) == 129  # the hang-up handler's clean exit
    _assert_no_orphans(app.pid)
    store = open_store(db, actor=current_actor())
    draft = drafts.load(store, "person", "new")
    store.close()
    assert draft is not None and draft["values"]["name"] == TYPED
    assert await _draft_on_next_start(db) == TYPED


def test_gbk_client_does_not_crash_the_app(tmp_path: Path) -> None:
    """Xshell/PuTTY set to GBK send bytes that are not UTF-8 (Textual #6456)."""
    db = _demo(tmp_path)
    app = PtyApp(["--db", str(db)])
    try:
        app.wait_for(HOME)
        app.send("a")
        app.wait_for(FORM)
        app.send("张三".encode("gbk"))
        app.send("李四")  # typing still works afterwards
        screen = app.wait_for("李四")
        assert "\ufffd" in screen  # the undecodable bytes show as replacement characters
        app.send("\x1b")  # Esc: close the form, keeping the draft
        app.wait_for(HOME)
        app.send("\x11")  # Ctrl+Q
        status = app.wait_exit(10)
    finally:
        app.close()
    assert status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


# Each payload carries its own marker so Textual's own escape sequences
# (it clears the screen and styles text itself) are never mistaken for it.
PAYLOADS = {
    "osc0": "\x1b]0;PWNTITLE\x07",
    "osc52": "\x1b]52;c;UFdOQ0xJUA==\x07",
    "osc0-st": "\x1b]0;PWNST\x1b\\",
    "csi2j": "\x1b[2JPWNCLR",
    "c1-csi": "\x9b2JPWNC1",
    "nul": "A\x00PWNNUL",
    "rlo": "\u202ePWNRLO",
}
FORBIDDEN = [
    b"\x1b]0;PWNTITLE",
    b"\x1b]52;",
    b"\x1b]0;PWNST",
    b"\x1b[2JPWNCLR",
    "\x9b".encode(),
    b"\x00",
    "\u202e".encode(),
]


def _store_hostile_person(db: Path) -> None:
    """Straight into SQLite, bypassing validation (an old version, a script, sqlite3 CLI)."""
    c = sqlite3.connect(db)
    branch = c.execute("SELECT id FROM org_units WHERE name=?", (HOME,)).fetchone()[0]
    hostile = "".join(PAYLOADS.values())  # 67 characters once cleaned: fits the note
    team = PAYLOADS["osc0"] + PAYLOADS["csi2j"] + PAYLOADS["rlo"]
    job = PAYLOADS["osc52"] + PAYLOADS["c1-csi"] + PAYLOADS["nul"] + PAYLOADS["osc0-st"]
    c.execute(
        "INSERT INTO people(id, name, status, branch_id, post, team, job, phone, note, sort_key,"
        " created_at, updated_at, updated_by, version)"
        " VALUES ('evil', ?, '正式党员', ?, '书记', ?, ?, '', ?, '', 't', 't', 'x', 1)",
        ("恶" + PAYLOADS["osc52"] + "意", branch, team, job, hostile),
    )
    c.execute("UPDATE org_units SET name=? WHERE id=?", (HOME + PAYLOADS["osc0"], branch))
    c.commit()
    c.close()


def _assert_clean(raw: bytes) -> None:
    for needle in FORBIDDEN:
        assert needle not in raw, f"{needle!r} from stored data reached the terminal"


def test_stored_escape_sequences_never_reach_the_terminal(tmp_path: Path) -> None:
    db = _demo(tmp_path)
    _store_hostile_person(db)
    app = PtyApp(["--db", str(db)])
    try:
        app.wait_for(HOME)
        app.send("r")  # roster: tree label, table cells, status line
        app.wait_for("]0;PWNTITLE：共 31 人")  # shown, with ESC and BEL removed
        assert "恶]52;c" in app.text()
        app.send("\r")  # Enter on the branch: into the table
        app.send("e")  # the person form: Input values
        app.wait_for(FORM)
        app.wait_for("]0;PWNTITLE")  # the team field, cleaned on load
        app.settle()
        app.send("\x1b")
        app.settle()
        app.send("\x11")
        app.wait_exit(10)
    finally:
        app.close()
    _assert_clean(bytes(app.raw))


def test_escape_sequences_in_the_database_path_never_reach_the_terminal() -> None:
    """The header shows the database path; a file name is user data too.
    (A short folder: a long path would be cut off before the payload.)"""
    import shutil
    import tempfile

    short = Path(tempfile.mkdtemp(prefix="z", dir="/tmp"))
    try:
        db = short / ("d" + PAYLOADS["osc0"] + PAYLOADS["csi2j"] + PAYLOADS["osc52"]) / "z.db"
        demo_db(db)
        app = PtyApp(["--db", str(db)])
        try:
            screen = app.wait_for(HOME)
            assert "PWNTITLE" in screen.split("\n")[0]  # the header did show the path
            app.send("r")
            app.wait_for("共 ")
            app.settle()
            app.send("\x11")
            app.wait_exit(10)
        except AssertionError:
            _assert_clean(bytes(app.raw))  # an injected sequence garbles the screen: say so
            raise
        finally:
            app.close()
        _assert_clean(bytes(app.raw))
    finally:
        shutil.rmtree(short)
