"""The baseline: the least a Textual app can do (Header, one Static, Footer).

`--input` adds one Input with Textual's defaults (cursor blink on), the floor
for key-to-echo latency and bytes per keystroke.
"""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Input, Static

READY_TEXT = "最小应用已就绪"


class MinimalApp(App[None]):
    TITLE = "最小应用"
    BINDINGS = [Binding("ctrl+q", "quit", "退出", priority=True)]

    def __init__(self, *, with_input: bool = False) -> None:
        super().__init__()
        self.with_input = with_input

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(READY_TEXT)
        if self.with_input:
            yield Input(id="echo")
        yield Footer()


if __name__ == "__main__":
    MinimalApp(with_input="--input" in sys.argv[1:]).run()
