"""U7: huge input is truncated with a visible message, never dropped silently.

A 120,000-character paste (docs/ARCHITECTURE.md#text-and-terminal) into Textual's own
Input(max_length=…) vanishes with a bell; LimitedInput and LimitedTextArea
keep what fits, say so, and keep accepting keystrokes.
"""

from __future__ import annotations

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input

from widgets.limited_input import LimitedInput, LimitedTextArea

HUGE = ("甲乙丙丁戊己庚辛壬癸" * 12_000)[:120_000]
NOTE_MAX = 2_000


class Form(App[None]):
    def compose(self) -> ComposeResult:
        yield Input(id="plain", max_length=200)
        yield LimitedInput(id="line", max_length=200)
        yield LimitedTextArea(id="note", max_length=NOTE_MAX)


def _messages(app: App) -> list[str]:
    return [n.message for n in app._notifications]  # noqa: SLF001


async def _paste(pilot, widget, text: str) -> None:
    """As a terminal's bracketed paste arrives: to the app, which forwards it."""
    widget.focus()
    await pilot.pause()
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


async def test_textual_input_drops_an_overlong_paste_silently() -> None:
    """Negative control: why LimitedInput exists."""
    app = Form()
    async with app.run_test(notifications=True) as pilot:
        plain = app.query_one("#plain", Input)
        await _paste(pilot, plain, HUGE)
        assert plain.value == ""
        assert _messages(app) == []


async def test_limited_input_truncates_a_huge_paste_and_says_so() -> None:
    app = Form()
    async with app.run_test(notifications=True) as pilot:
        line = app.query_one("#line", LimitedInput)
        await _paste(pilot, line, HUGE)
        assert line.value == HUGE[:200]
        assert any("120000 字" in m and "已截断为 200 字" in m for m in _messages(app))
        # Still responsive: the next keystrokes are processed.
        await pilot.press("backspace", "子")
        assert line.value == HUGE[:199] + "子"


async def test_limited_input_takes_room_and_selection_into_account() -> None:
    app = Form()
    async with app.run_test(notifications=True) as pilot:
        line = app.query_one("#line", LimitedInput)
        line.value = "前" * 150
        line.focus()
        await pilot.press("end")  # focusing selected everything; paste after the text
        await _paste(pilot, line, "后" * 80)
        assert line.value == "前" * 150 + "后" * 50
        assert any("已截断为 200 字" in m for m in _messages(app))
        await pilot.press("shift+home")  # select all 200: a paste replaces them
        await _paste(pilot, line, "新" * 10)
        assert line.value == "新" * 10


async def test_limited_input_keeps_every_line_of_a_multiline_paste() -> None:
    app = Form()
    async with app.run_test(notifications=True) as pilot:
        line = app.query_one("#line", LimitedInput)
        await _paste(pilot, line, "第一行\n第二行\r\n第三行")
        assert line.value == "第一行 第二行 第三行"
        assert _messages(app) == []


async def test_limited_input_full_field_refuses_typing_with_one_notice() -> None:
    app = Form()
    async with app.run_test(notifications=True) as pilot:
        line = app.query_one("#line", LimitedInput)
        line.value = "满" * 200
        line.focus()
        await pilot.press("end", "a", "b", "c")
        assert line.value == "满" * 200
        assert [m for m in _messages(app) if "已满" in m] == ["本栏最多 200 字，已满"]


async def test_limited_input_value_set_in_code_is_cut_with_a_notice() -> None:
    """A draft restored from before the limit existed."""

    class Restored(App[None]):
        def compose(self) -> ComposeResult:
            yield LimitedInput("长" * 500, id="line", max_length=200)

    app = Restored()
    async with app.run_test(notifications=True) as pilot:
        await pilot.pause()
        assert app.query_one("#line", LimitedInput).value == "长" * 200
        assert any("已截断为 200 字" in m for m in _messages(app))


async def test_limited_text_area_truncates_a_huge_paste_and_shows_the_count() -> None:
    app = Form()
    async with app.run_test(notifications=True) as pilot:
        note = app.query_one("#note", LimitedTextArea)
        await _paste(pilot, note, HUGE)
        assert note.text == HUGE[:NOTE_MAX]
        assert any(f"已截断为 {NOTE_MAX} 字" in m for m in _messages(app))
        assert note.border_subtitle == f"{NOTE_MAX}/{NOTE_MAX} 字"
        assert note.has_class("-full")
        # At the limit a keystroke is refused (with a notice), not dropped silently …
        await pilot.press("x")
        assert note.text == HUGE[:NOTE_MAX]
        assert f"本栏最多 {NOTE_MAX} 字，已满" in _messages(app)
        # … and after deleting one character typing works again.
        await pilot.press("backspace", "x")
        assert note.text == HUGE[: NOTE_MAX - 1] + "x"
        assert note.border_subtitle == f"{NOTE_MAX}/{NOTE_MAX} 字"


async def test_limited_text_area_keeps_lines_and_counts_as_you_type() -> None:
    app = Form()
    async with app.run_test(notifications=True) as pilot:
        note = app.query_one("#note", LimitedTextArea)
        await _paste(pilot, note, "走访记录：\n家中困难\n已上报")
        assert note.text == "走访记录：\n家中困难\n已上报"
        await pilot.press("。")
        assert note.border_subtitle == f"{len(note.text)}/{NOTE_MAX} 字"
        assert _messages(app) == []
