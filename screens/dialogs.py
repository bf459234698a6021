"""Small reusable dialogs: a one-line prompt, a notes box, a choice list."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from widgets.limited_input import LimitedInput, LimitedTextArea
from widgets.safe import content, text

NOTE_MAX = 20_000


class LinePrompt(ModalScreen[str | None]):
    """Ask for one line; Enter accepts, Esc cancels. ``required`` refuses blank."""

    BINDINGS = [Binding("escape", "cancel", "取消")]

    def __init__(self, title: str, *, value: str = "", placeholder: str = "", required: bool = True,
                 max_length: int = 200) -> None:  # fmt: skip
        super().__init__(classes="prompt")
        self._title, self._value, self._placeholder = title, value, placeholder
        self._required, self._max = required, max_length

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt-box"):
            yield Static(content(self._title + "（Enter 确定，Esc 取消）"))
            yield LimitedInput(self._value, placeholder=self._placeholder, max_length=self._max)
            yield Static(classes="prompt-error")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _ok(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if self._required and not value:
            self.query_one(".prompt-error", Static).update(content("不能为空"))
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class NotePrompt(ModalScreen[str | None]):
    """Multi-line notes; Ctrl+S accepts. Length is checked visibly, never dropped."""

    BINDINGS = [Binding("ctrl+s", "ok", "确定", priority=True), Binding("escape", "cancel", "取消")]

    def __init__(self, title: str, *, value: str = "") -> None:
        super().__init__(classes="prompt")
        self._title, self._value = title, value

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt-box note-box"):
            yield Static(content(self._title + "（Ctrl+S 确定，Esc 取消）"))
            yield LimitedTextArea(
                self._value, soft_wrap=True, show_line_numbers=False, max_length=NOTE_MAX
            )
            yield Static(classes="prompt-error")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    @on(TextArea.Changed)
    def _changed(self, event: TextArea.Changed) -> None:
        n = len(event.text_area.text)
        msg = f"已超过 {NOTE_MAX} 字（现 {n} 字），请删减后再确定" if n > NOTE_MAX else ""
        self.query_one(".prompt-error", Static).update(content(msg))

    def action_ok(self) -> None:
        value = self.query_one(TextArea).text
        if len(value) > NOTE_MAX:
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoicePrompt(ModalScreen[str | None]):
    """Pick one of (value, label) pairs."""

    BINDINGS = [Binding("escape", "cancel", "取消")]

    def __init__(self, title: str, choices: list[tuple[str, str]]) -> None:
        super().__init__(classes="prompt")
        self._title, self._choices = title, choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt-box"):
            yield Static(content(self._title + "（Enter 选定，Esc 取消）"))
            yield OptionList(
                *[Option(text(label), id=value) for value, label in self._choices], markup=False
            )

    def on_mount(self) -> None:
        lst = self.query_one(OptionList)
        lst.focus()
        lst.highlighted = 0

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class YesNoPrompt(ChoicePrompt):
    """A yes/no question; dismisses "yes", "no" or None (Esc). 否 is first, so a
    stray Enter never does the irreversible thing."""

    def __init__(self, question: str, *, yes: str = "是", no: str = "否") -> None:
        super().__init__(question, [("no", no), ("yes", yes)])
