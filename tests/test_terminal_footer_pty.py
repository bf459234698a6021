"""Issue 16 item 3 through the installed command: at 80×24 in a real pty, every
screen reached from 今日 by its key shows footer entries that are whole (the
rota footer used to read 「^p   令」, the meeting footer 「esc 返▏」).

The Pilot walk (tests/test_no_clipping.py) checks widgets, columns and dialogs
region by region; this reads what a terminal really shows."""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.pty_screen import screen_text

pexpect = pytest.importorskip("pexpect")
pyte = pytest.importorskip("pyte")

pytestmark = pytest.mark.xdist_group("pty")

# Keys on 今日 and the screen each opens.
SCREENS = [
    ("r", "花名册"),
    ("f", "一人一事"),
    ("c", "党费"),
    ("k", "党课"),
    ("l", "会议记录"),
    ("d", "草稿"),
    ("g", "发展党员"),
]
HOME = "三会一课"  # on 今日 only


def _zhibu() -> str:
    exe = Path(sys.executable).parent / "zhibu"
    found = str(exe) if exe.exists() else shutil.which("zhibu")
    assert found, "the zhibu command is not installed"
    return found


def _descriptions() -> set[str]:
    """Every key description a footer may show: all BINDINGS in the app."""
    from textual.binding import Binding

    import screens
    import widgets
    from tui.app import ZhibuApp

    out: set[str] = set()
    classes = [ZhibuApp]
    for pkg in (screens, widgets):
        for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            module = importlib.import_module(info.name)
            classes += [c for _, c in inspect.getmembers(module, inspect.isclass)]
    for cls in classes:
        for b in getattr(cls, "BINDINGS", ()) or ():
            desc = b.description if isinstance(b, Binding) else (b[2] if len(b) > 2 else "")
            if desc:
                out.add(desc)
    from screens.registry import ROUTES

    out |= {r.label for r in ROUTES if r.label}
    return out


def _footer_entries(row: str) -> tuple[list[tuple[str, str]], str]:
    """(key, description) pairs left of the palette key, and the palette part."""
    left, _, palette = row.partition("▏")
    tokens = left.split()
    pairs: list[tuple[str, str]] = []
    i = 0
    while i < len(tokens):
        key = tokens[i]
        desc = tokens[i + 1] if i + 1 < len(tokens) else ""
        pairs.append((key, desc))
        i += 2
    return pairs, palette.strip()


class _Term:
    def __init__(self, db: Path) -> None:
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
        self.child = pexpect.spawn(_zhibu(), ["--db", str(db)], dimensions=(24, 80), env=env)
        self.screen = pyte.Screen(80, 24)
        self.stream = pyte.ByteStream(self.screen)

    def settle(self, ok, timeout: float = 20) -> str:  # type: ignore[no-untyped-def]
        """The screen once ok(text) holds and nothing changed for 0.5 s."""
        deadline = time.time() + timeout
        last, still_since = "", time.time()
        while time.time() < deadline:
            try:
                self.stream.feed(self.child.read_nonblocking(65536, timeout=0.1))
            except pexpect.TIMEOUT:
                pass
            text = screen_text(self.screen)
            if text != last:
                last, still_since = text, time.time()
            elif ok(text) and time.time() - still_since > 0.5:
                return text
        raise AssertionError(f"the screen never got there; it was:\n{last}")


def test_every_footer_entry_is_whole_at_80x24(tmp_path: Path) -> None:
    db = tmp_path / "z.db"
    subprocess.run([_zhibu(), "--db", str(db), "demo"], check=True, capture_output=True,
                   timeout=120)  # fmt: skip
    known = _descriptions()
    term = _Term(db)
    seen: list[str] = []
    try:
        home = term.settle(lambda t: HOME in t)
        for key, title in [("", "今日"), *SCREENS]:
            if key:
                term.child.send(key)
            # another screen: 今日's table is gone
            text = term.settle(lambda t: HOME not in t) if key else home
            footer = text.split("\n")[-1]
            pairs, palette = _footer_entries(footer)
            assert palette == "^p 命令", f"{title}: palette key cut: {footer!r}"
            assert pairs, f"{title}: empty footer: {footer!r}"
            for k, desc in pairs:
                assert desc in known, f"{title}: footer entry {k!r} {desc!r} is cut: {footer!r}"
            seen.append(title)
            if key:
                term.child.send("\x1b")  # back to 今日
                term.settle(lambda t: HOME in t)
        term.child.send("\x11")
        term.child.expect(pexpect.EOF, timeout=10)
    finally:
        term.child.close(force=True)
    assert seen == ["今日", *(t for _, t in SCREENS)]
