"""U3/U4: markup and terminal-escape injection, widget by widget.

Every widget the app uses to show user text gets every payload, fed the way
the app feeds it: through widgets.safe for DataTable, Tree, OptionList,
Select, Static and Label; as a plain string for notify(markup=False), the
header's sub_title (the database path) and Input values (restored drafts).
Oracle: no crash; the text is shown literally (control characters removed);
no styling or click action comes out of it; and no control sequence from it
reaches the terminal bytes (tui.terminal's output guard included).
"""

from __future__ import annotations

import re

import pytest
from rich.segment import Segment
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import DataTable, Header, Input, Label, OptionList, Select, Static, Tree
from textual.widgets.option_list import Option

from tests.reliability_helpers import until
from widgets import safe

PAYLOADS = [
    "[/",
    "[/]",
    "[b]x",
    "[link=x]y[/link]",
    "[@click=app.quit]x[/]",
    "[$accent]y",
    "\\",
    "x\\[b]",
    "\\[/]z",
    "A\x1b]0;PWNTITLE\x07B",
    "C\x1b]52;c;UFdOQ0xJUA==\x07D",
    "E\x1b]0;PWNST\x1b\\F",
    "G\x1b[2JH",
    "I\x9b2JJ",
    "K\x00L",
    "M\u202eN",
]
CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What must never appear in terminal output: the sequences the payloads carry.
FORBIDDEN = ["\x1b]0;PWN", "\x1b]52;", "\x1b[2JH", "\x9b", "\x00", "\u202e"]

SAFE_WIDGETS = ("table", "tree", "options", "select", "static", "label")
RAW_WIDGETS = ("input",)  # plus the header and the toast, checked separately


class Matrix(App[None]):
    """Each widget shows the payload once, in the app's own way."""

    def __init__(self, payload: str) -> None:
        super().__init__()
        self.payload = payload

    def compose(self) -> ComposeResult:
        p = self.payload
        yield Header()
        table = DataTable(id="table", show_header=False)
        table.add_column("c", width=40)
        table.add_row(safe.text(p))
        yield table
        tree: Tree[None] = Tree(safe.text("根"), id="tree")
        tree.root.add_leaf(safe.text(p))
        tree.root.expand()
        yield tree
        yield OptionList(Option(safe.text(p)), id="options", markup=False)
        yield Select([(safe.text(p), "v")], value="v", id="select", allow_blank=False)
        yield Static(safe.content(p), id="static")
        yield Label(safe.content(p), id="label")
        yield Input(value=p, id="input")

    def on_mount(self) -> None:
        self.sub_title = self.payload  # as the app shows the database path
        # A long timeout: under load the checks below can take longer than
        # the default 5 s, and an expired toast is not a rendering bug.
        self.notify(self.payload, markup=False, timeout=600)


Matrix.CSS = """
DataTable, Tree, OptionList { height: 3; }
Static, Label, Input, Select { width: 60; }
"""


def _cells(app: App, widget: Widget) -> list[list[Segment]]:
    """The segments of *widget* as composited on screen (cropped to its region)."""
    strips = app.screen._compositor.render_strips()  # noqa: SLF001 - what the terminal gets
    r: Region = widget.region
    return [list(strips[y].crop(r.x, r.right)) for y in range(r.y, r.bottom)]


def _text(rows: list[list[Segment]]) -> str:
    return "\n".join("".join(s.text for s in row) for row in rows)


def _flat(text: str) -> str:
    return re.sub(r"\s", "", text)


def _visible(payload: str) -> str:
    return CONTROLS.sub("", payload)


def _no_actions_or_links(rows: list[list[Segment]]) -> None:
    for row in rows:
        for seg in row:
            style = seg.style
            if style is None:
                continue
            assert not style.link, f"payload became a link: {seg!r}"
            meta = style.meta or {}
            assert not any("quit" in str(v) for v in meta.values()), (
                f"payload became an action: {seg!r}"
            )


@pytest.fixture
def guarded_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """tui.terminal's output guard, undone after the test."""
    import textual.drivers.linux_driver as linux_driver
    from textual.drivers._writer_thread import WriterThread

    import tui.terminal as terminal

    monkeypatch.setattr(Strip, "render", Strip.render)
    monkeypatch.setattr(WriterThread, "run", WriterThread.run)
    monkeypatch.setattr(linux_driver, "getincrementaldecoder", linux_driver.getincrementaldecoder)
    monkeypatch.setattr(terminal, "_applied", set())
    terminal.harden_terminal()


@pytest.mark.parametrize("payload", PAYLOADS, ids=[repr(p) for p in PAYLOADS])
async def test_user_text_is_literal_in_every_widget(payload: str, guarded_output: None) -> None:
    app = Matrix(payload)
    async with app.run_test(size=(100, 40), notifications=True) as pilot:
        await pilot.pause()
        expected = _visible(payload)

        def toast_and_header_shown() -> bool:
            toasts = app.screen.query("Toast")
            if not toasts or not toasts.first().region.area:
                return False
            header = _text(_cells(app, app.query_one(Header)))
            return expected in CONTROLS.sub("", header) and _flat(expected) in _flat(
                CONTROLS.sub("", _text(_cells(app, toasts.first())))
            )

        # Wait for what is checked, not a fixed time (under load 0.1 s was short).
        assert await until(pilot, toast_and_header_shown)
        for wid in SAFE_WIDGETS + RAW_WIDGETS:
            rows = _cells(app, app.query_one(f"#{wid}"))
            shown = _text(rows)
            assert expected in CONTROLS.sub("", shown), f"{wid} shows {shown!r}"
            _no_actions_or_links(rows)
            if wid in SAFE_WIDGETS:  # widgets.safe removes controls before rendering
                for line in shown.split("\n"):
                    assert not CONTROLS.search(line), f"{wid} passes control characters: {line!r}"
        header = _text(_cells(app, app.query_one(Header)))
        assert expected in CONTROLS.sub("", header)
        toasts = app.screen.query("Toast")
        assert toasts, "the notification was not shown"
        toast_rows = _cells(app, toasts.first())
        # The toast wraps long text, padding each line: compare without whitespace.
        assert _flat(expected) in _flat(CONTROLS.sub("", _text(toast_rows)))
        _no_actions_or_links(toast_rows)
        # What the terminal receives for the whole screen.
        output = "".join(s.render(app.console) for s in app.screen._compositor.render_strips())  # noqa: SLF001
        for needle in FORBIDDEN:
            assert needle not in output, f"{needle!r} reached the terminal"
        # Clicking the text does nothing (an injected [@click=app.quit] would quit).
        await pilot.click("#static")
        await pilot.pause()
        assert app.is_running and app.return_code is None


def test_output_guard_keeps_styles_and_drops_only_controls(guarded_output: None) -> None:
    from rich.console import Console
    from rich.style import Style

    strip = Strip([Segment("a\x1b]52;c;x\x07b", Style(bold=True)), Segment("\x9bc\u202e")])
    out = strip.render(Console(color_system="truecolor"))
    assert out == "\x1b[1ma]52;c;xb\x1b[0mc"
