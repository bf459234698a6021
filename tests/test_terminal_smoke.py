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

# Real ptys read against timeouts: one at a time on one xdist worker (make test
# runs with --dist loadgroup), so two terminal sessions never race each other.
pytestmark = pytest.mark.xdist_group("pty")


def _zhibu() -> str:
    exe = Path(sys.executable).parent / "zhibu"
    found = str(exe) if exe.exists() else shutil.which("zhibu")
    assert found, "the zhibu command is not installed"
    return found


def _screen_after(child, screen, stream, expect: str, timeout: float = 15) -> str:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            # Bytes into pyte.ByteStream: it decodes incrementally. Decoding each
            # read on its own turned a CJK character split across two reads into
            # U+FFFD, which half-overwrote wide characters (the IndexError) and
            # could hide the text being waited for.
            stream.feed(child.read_nonblocking(65536, timeout=0.1))
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
    subprocess.run(
        [_zhibu(), "--db", str(db), "demo"], check=True, capture_output=True, timeout=120
    )
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    child = pexpect.spawn(_zhibu(), ["--db", str(db)], dimensions=(24, 80), env=env)
    screen = pyte.Screen(80, 24)
    stream = pyte.ByteStream(screen)
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


# The hang-up test moved to tests/test_reliability_terminal.py (exact draft text,
# restore on the next start, no orphans, and under nohup).
