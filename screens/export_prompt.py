"""Ask for an export's folder and file format (Word / Excel / both) in one
small dialog: Enter in the folder field exports, Ctrl+T changes the format
from any field, Esc cancels. Dismisses with (folder, formats) or None."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from widgets.export_format import KEY, KEY_LABEL, FormatSelect
from widgets.limited_input import LimitedInput
from widgets.safe import content

Answer = tuple[str, tuple[str, ...]]


class ExportPrompt(ModalScreen[Answer | None]):
    BINDINGS = [
        Binding(KEY, "cycle_format", "格式", priority=True),
        Binding("escape", "cancel", "取消"),
    ]

    def __init__(self, title: str, *, folder: str, fmt: str = "docx") -> None:
        super().__init__(classes="prompt")
        self._title, self._folder, self._fmt = title, folder, fmt

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt-box"):
            yield Static(content(f"{self._title}（Enter 导出，{KEY_LABEL} 格式，Esc 取消）"))
            yield LimitedInput(self._folder, max_length=500, id="xp-dir")
            with Horizontal(classes="fu-row"):
                yield Label("格式 ")
                yield FormatSelect(self._fmt, id="xp-format")
            yield Static(classes="prompt-error")

    def on_mount(self) -> None:
        self.query_one("#xp-dir", Input).focus()

    def action_cycle_format(self) -> None:
        self.query_one(FormatSelect).cycle()

    @on(Input.Submitted)
    def _ok(self, event: Input.Submitted) -> None:
        folder = event.value.strip()
        if not folder:
            self.query_one(".prompt-error", Static).update(content("请填写保存的文件夹"))
            return
        self.dismiss((folder, self.query_one(FormatSelect).formats))

    def action_cancel(self) -> None:
        self.dismiss(None)
