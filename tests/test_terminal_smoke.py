"""The installed `zhibu` in a real pty at 80×24, read through a VT emulator."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.pty_screen import screen_text

pexpect = pytest.importorskip("pexpect")
pyte = pytest.importorskip("pyte")


def _zhibu() -> str:
    exe = Path(sys.executable).parent / "zhibu"
    found = str(exe) if exe.exists() else shutil.which("zhibu")
    assert found, "the zhibu command is not installed"
    return found


def _screen_after(child, screen, stream, expect: str, timeout: float = 15) -> str:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            data = child.read_nonblocking(65536, timeout=0.1)
            stream.feed(data.decode("utf-8", "replace"))
        except pexpect.TIMEOUT:
            pass
        except pexpect.EOF:
            break
        text = screen_text(screen)
        if expect in text:
            return text
    return screen_text(screen)


def test_installed_command_shows_home_in_a_pty(tmp_path: Path) -> None:
    db = tmp_path / "smoke.db"
    subprocess.run([_zhibu(), "--db", str(db), "demo"], check=True, capture_output=True, timeout=120)
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    child = pexpect.spawn(_zhibu(), ["--db", str(db)], dimensions=(24, 80), env=env)
    screen = pyte.Screen(80, 24)
    stream = pyte.Stream(screen)
    try:
        text = _screen_after(child, screen, stream, "采油一队党支部")
        assert "支部工作台" in text
        assert "采油一队党支部" in text
        child.send("r")
        text = _screen_after(child, screen, stream, "共 30 人")
        assert "共 30 人" in text
        child.send("\x11")  # Ctrl+Q
        child.expect(pexpect.EOF, timeout=10)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0


def test_hangup_saves_draft_and_exits(tmp_path: Path) -> None:
    """Closing the pty master (what sshd does on a dropped link) keeps typed text."""
    db = tmp_path / "hup.db"
    subprocess.run([_zhibu(), "--db", str(db), "demo"], check=True, capture_output=True, timeout=120)
    child = pexpect.spawn(_zhibu(), ["--db", str(db)], dimensions=(24, 80), env={**os.environ, "TERM": "xterm-256color"})
    screen = pyte.Screen(80, 24)
    stream = pyte.Stream(screen)
    _screen_after(child, screen, stream, "采油一队党支部")
    child.send("a")
    _screen_after(child, screen, stream, "Esc 关闭并保留草稿")
    child.send("夜班张三")
    assert "夜班张三" in _screen_after(child, screen, stream, "夜班张三")
    pid = child.pid
    os.close(child.child_fd)  # hang up as sshd does: close the master, nothing else
    deadline = time.time() + 5
    status = None
    while time.time() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)  # reaps: a zombie is not "running"
        if done:
            break
        time.sleep(0.1)
    else:
        pytest.fail("zhibu still running 5 s after hang-up")
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 129  # clean exit after SIGHUP
    import sqlite3

    c = sqlite3.connect(db)
    rows = c.execute("SELECT data FROM drafts WHERE workflow='person'").fetchall()
    c.close()
    assert rows and "夜班张三" in rows[0][0]
