"""Issue 16 item 2: no English from Textual or argparse reaches the user."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from domain.navigation import Place
from screens.help import HelpScreen
from widgets.textual_cn import BINDING_DESCRIPTIONS

_ENGLISH = re.compile(r"^[\x00-\x7f]*[A-Za-z][\x00-\x7f]*$")

# Places that open without arguments: every main screen and form.
MAIN_PLACES = [
    Place.HOME, Place.ROSTER, Place.ADD_PERSON, Place.IMPORT_PEOPLE, Place.NEW_MEETING,
    Place.MEETINGS, Place.ROTA, Place.NEW_ROTA, Place.QUICK_FOLLOWUP, Place.FOLLOWUPS,
    Place.FOLLOWUP_TRIGGERS, Place.EXPORT_LEDGER, Place.PARTICIPATION, Place.DUES,
    Place.MEMBER_LOOKUP, Place.EXPORT_REPORT,
]  # fmt: skip


def _textual_descriptions() -> set[str]:
    import textual.widgets as w
    from textual.dom import DOMNode

    for name in w.__all__:
        getattr(w, name)  # textual.widgets loads lazily
    import textual.command  # noqa: F401

    def walk(cls: type) -> list[type]:
        out = []
        for sub in cls.__subclasses__():
            out += [sub, *walk(sub)]
        return out

    found = set()
    for cls in walk(DOMNode):
        if not cls.__module__.startswith("textual"):
            continue
        for b in cls.__dict__.get("BINDINGS", []):
            text = b[2] if isinstance(b, tuple) and len(b) > 2 else getattr(b, "description", "")
            if text:
                found.add(text)
    return found


def test_every_textual_binding_description_has_chinese() -> None:
    missing = sorted(_textual_descriptions() - BINDING_DESCRIPTIONS.keys())
    assert missing == []


def _help_rows(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one("#help-table", DataTable)
    return [(str(table.get_row_at(i)[0]), str(table.get_row_at(i)[1]))
            for i in range(table.row_count)]  # fmt: skip


@pytest.mark.parametrize("place", MAIN_PLACES, ids=lambda p: p.value)
async def test_help_on_each_main_screen_is_chinese(make_demo_app, place: Place) -> None:
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        if place is not Place.HOME:
            app.go(place)
            await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows = _help_rows(app)
        assert rows, "help lists no keys"
        english = [(k, d) for k, d in rows if _ENGLISH.match(d)]
        assert english == []


async def test_help_in_a_text_field_lists_its_keys_in_chinese(make_demo_app) -> None:
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        app.go(Place.ADD_PERSON)
        await pilot.pause()
        assert isinstance(app.focused, Input)
        await pilot.press("f1")
        await pilot.pause()
        descriptions = [d for _, d in _help_rows(app)]
        assert "复制选中的文字" in descriptions
        assert "下一个字段" in descriptions
        assert not [d for d in descriptions if _ENGLISH.match(d)]


async def _palette_texts(app, pilot, query: str, want=bool) -> list[str]:  # type: ignore[no-untyped-def]
    """The palette's option texts for *query*, once *want* holds for them
    (the list shown first can still be the previous query's)."""
    from textual.command import CommandList

    palette = app.screen
    palette.query_one(Input).value = query
    texts: list[str] = []
    for _ in range(100):
        await asyncio.sleep(0.1)
        await pilot.pause()
        options = palette.query_one(CommandList)
        texts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        if texts and want(texts):
            return texts
    return texts


async def test_palette_is_chinese_and_matches_pinyin(make_demo_app) -> None:
    from textual.command import CommandPalette

    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one(Input).placeholder.startswith("搜索命令")
        no_match = await _palette_texts(
            app, pilot, "qqqqxxxx", lambda ts: any("匹配" in t or "match" in t for t in ts)
        )
        assert any("没有匹配的命令" in t for t in no_match)
        assert not any("No matches" in t for t in no_match)
        for query in ("hmc", "huamingce", "huamc", "花名"):
            texts = await _palette_texts(
                app, pilot, query, lambda ts: any("花名册" in t for t in ts)
            )
            assert any("花名册" in t for t in texts), query
        # Textual's own English system commands (Theme, Screenshot…) are gone.
        every = await _palette_texts(app, pilot, "e")
        assert not [t for t in every if _ENGLISH.match(t.split("\n")[0])]


async def test_ctrl_c_hint_is_chinese(make_demo_app) -> None:
    app = make_demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+c")
        await pilot.pause()
        notes = list(app._notifications)
        assert notes, "Ctrl+C says nothing"
        text = " ".join(f"{n.title} {n.message}" for n in notes)
        assert "退出" in text and "ctrl+q" in text.lower()
        assert "Press" not in text and "Do you want" not in text


# -- argparse: through the installed command, in a pty ----------------------

def _run_in_pty(args: list[str], tmp_path: Path) -> str:
    pexpect = pytest.importorskip("pexpect")
    from tests.test_terminal_smoke import _zhibu

    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24",
           "ZHIBU_DB": str(tmp_path / "x.db")}  # fmt: skip
    child = pexpect.spawn(_zhibu(), args, dimensions=(24, 80), env=env, encoding="utf-8")
    out = child.read()
    child.close()
    return str(out)


_ARGPARSE_ENGLISH = (
    "usage:", "error:", "options", "positional arguments", "show this help",
    "the following arguments are required", "unrecognized arguments", "invalid choice",
    "expected one argument",
)


@pytest.mark.xdist_group("pty")
@pytest.mark.parametrize(
    "args, expect",
    [
        (["--help"], "显示帮助并退出"),
        (["--bogus"], "无法识别的参数"),
        (["backup"], "缺少以下参数"),
        (["export", "nothing"], "无效的选项"),
        (["--db"], "需要一个参数"),
        (["export", "--help"], "用法"),
    ],
)
def test_cli_help_and_errors_are_chinese(tmp_path: Path, args: list[str], expect: str) -> None:
    out = _run_in_pty(args, tmp_path)
    assert expect in out, out
    lowered = out.lower()
    assert [e for e in _ARGPARSE_ENGLISH if e in lowered] == [], out


def test_cli_bad_argument_exit_code_stays_usage(tmp_path: Path) -> None:
    from tests.test_terminal_smoke import _zhibu

    r = subprocess.run([_zhibu(), "--bogus"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert r.stderr.startswith("用法：")
