"""Keys that arrive in one burst land in the field focused when each was
typed (over a laggy SSH link keys come together). Repros: in the person form
'X' Tab×6 'Y' gave 姓名 = XY; in quick file 'abc' Enter 'zs' Enter gave
简要情况 = abczs; 'r' 'a' 王小明 from home lost 王."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input

from screens.followups.quick import QuickFileScreen
from screens.roster.person_form import PersonForm
from storage import people
from tests.pty_screen import screen_text
from tests.test_terminal_smoke import _screen_after, _zhibu

ENTER = "\r"


def _burst(app, keys: list[str]) -> None:
    """Post every key at once, as a terminal read of one write() would."""
    for k in keys:
        char = k if len(k) == 1 else {"enter": ENTER, "tab": "\t"}.get(k)
        app.post_message(events.Key(k, char))


async def _settle(pilot) -> None:
    for _ in range(30):
        await pilot.pause(0.02)


def _values(screen) -> dict[str, str]:
    return {i.id: i.value for i in screen.query(Input) if i.id and i.value}


async def test_person_form_tab_burst_moves_on_before_the_next_key(make_demo_app) -> None:
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(PersonForm(None))
        await _settle(pilot)
        _burst(app, ["X", *["tab"] * 6, "Y"])
        await _settle(pilot)
        values = _values(app.screen)
    assert values.get("f-name") == "X"
    assert "Y" in values.values() and values.get("f-name") != "XY"


async def test_keys_typed_while_a_screen_opens_reach_its_field(make_demo_app) -> None:
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        _burst(app, ["r", "a", *"王小明"])
        await _settle(pilot)
        assert isinstance(app.screen, PersonForm)
        assert _values(app.screen).get("f-name") == "王小明"


async def test_quick_file_enter_burst_keeps_the_summary_apart(make_demo_app) -> None:
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(QuickFileScreen())
        await _settle(pilot)
        app.screen.query_one("#f-summary", Input).focus()
        await _settle(pilot)
        _burst(app, [*"abc", "enter", *"zs"])
        await _settle(pilot)
        values = _values(app.screen)
    assert values.get("f-summary") == "abc"
    assert values.get("f-responsible") == "zs"


pexpect = pytest.importorskip("pexpect")
pyte = pytest.importorskip("pyte")


def _demo_in_a_pty(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A fresh demo database and the installed zhibu on it at 80×24, read through pyte."""
    import subprocess

    db = tmp_path / "burst.db"
    subprocess.run([_zhibu(), "--db", str(db), "demo"], check=True, capture_output=True)
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    child = pexpect.spawn(_zhibu(), ["--db", str(db)], dimensions=(24, 80), env=env)
    screen = pyte.Screen(80, 24)
    return db, child, screen, pyte.ByteStream(screen)


def test_burst_in_one_write_through_the_installed_command(tmp_path: Path) -> None:
    """The person form at 80×24 in a real pty: 'a' opens it from the roster,
    then name, Tab×6 and a 班组 arrive in one write()."""
    db, child, screen, stream = _demo_in_a_pty(tmp_path)
    try:
        _screen_after(child, screen, stream, "采油一队党支部")
        child.send("r")
        _screen_after(child, screen, stream, "共 30 人")
        # One write: open the form, type a name, Tab to 班组, type it, save.
        child.send("a" + "突发测试" + "\t" * 6 + "夜班班组" + "\x13")
        deadline = time.time() + 15
        found = None
        while time.time() < deadline and found is None:
            _screen_after(child, screen, stream, "已保存", timeout=1)
            from storage.db import open_store

            s = open_store(db, actor="tester")
            try:
                found = next((p for p in people.search(s, "突发测试", limit=5)), None)
            finally:
                s.close()
        assert found is not None, screen_text(screen)
        assert found.name == "突发测试"
        assert found.team == "夜班班组"
    finally:
        child.sendcontrol("q")
        child.close(force=True)


def test_quick_file_burst_in_one_write_through_the_installed_command(tmp_path: Path) -> None:
    """From 今日, one write() opens the quick file and fills it: 'f', Tab Tab to
    简要情况, 'abc', Enter (to 责任人), 'zs'. Before, Enter's move landed after
    'zs', so 简要情况 read abczs."""
    db, child, screen, stream = _demo_in_a_pty(tmp_path)
    try:
        _screen_after(child, screen, stream, "三会一课")
        child.send("f" + "\t\t" + "abc" + "\r" + "zs")
        text = _screen_after(child, screen, stream, "zs", timeout=15)
        rows = text.split("\n")
        summary = next(row for row in rows if "│ 简要情况" in row)
        responsible = next(row for row in rows if "│ 责任人" in row)
        assert "abc" in summary and "zs" not in summary, text
        assert "zs" in responsible and "abc" not in responsible, text
    finally:
        child.sendcontrol("q")
        child.close(force=True)


def test_vote_dialog_burst_in_one_write_through_the_installed_command(tmp_path: Path) -> None:
    """In a new meeting, one write() opens 表决 (4), the vote dialog (a) and fills
    事项, Tab Tab past 方式, 赞成 14, 反对 1, 弃权 0: each number in its own field."""
    db, child, screen, stream = _demo_in_a_pty(tmp_path)

    def row(text: str, label: str) -> str:  # the dialog's row (the table's header is above)
        return [r for r in text.split("\n") if f"│ {label}" in r][-1]

    def value(text: str, label: str) -> list[str]:
        return row(text, label).split("│")[-2].split()[1:]  # the words after the label

    try:
        _screen_after(child, screen, stream, "三会一课")
        child.send("m")
        _screen_after(child, screen, stream, "新建会议")
        child.send("\x13")  # Ctrl+S: start the meeting
        _screen_after(child, screen, stream, "进行中")
        child.send("\x1b")  # from the title field back to the sections
        time.sleep(0.5)
        child.send("4a" + "通过决议" + "\t\t" + "14" + "\t" + "1" + "\t" + "0")
        text = _screen_after(child, screen, stream, "通过决议", timeout=15)
        deadline = time.time() + 10
        while time.time() < deadline and not value(text, "弃权"):
            text = _screen_after(child, screen, stream, "通过决议", timeout=0.5)
        assert value(text, "表决事项") == ["通过决议"], text
        assert value(text, "赞成") == ["14"], text
        assert value(text, "反对") == ["1"], text
        assert value(text, "弃权") == ["0"], text
    finally:
        child.sendcontrol("q")
        child.close(force=True)
