"""党员考核 dialogs: a manual adjustment (points and a required reason), a
member's 先锋岗/责任区/承诺, and the quarterly review of a pledge.

Each dialog saves by itself (services, off the UI thread while the lock is
busy) and stays open with what was typed when the save is refused, so no
typed input is lost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static, TextArea

from domain.assessment import PostKind
from widgets.app_handle import zapp
from widgets.background_save import run_save
from widgets.checkbox import TextCheckbox
from widgets.limited_input import LimitedInput, LimitedTextArea
from widgets.safe import content, text

REASON_MAX = 200
AREA_MAX = 60
PLEDGE_MAX = 500
NOTE_MAX = 200

_CSS = """
{cls} .prompt-box {{ height: auto; }}
{cls} .row {{ height: 1; margin-bottom: 1; }}
{cls} .row Label {{ width: 10; }}
{cls} .row Input {{ width: 1fr; }}
{cls} .row Select {{ width: 1fr; }}
{cls} TextArea {{ height: 5; }}
{cls} .prompt-error {{ color: $error; }}
"""


class _SavingDialog(ModalScreen[Any]):
    """Shared: Ctrl+S saves through *save*; a refusal shows in the dialog."""

    BINDINGS = [
        Binding("ctrl+s", "ok", "保存", priority=True),
        Binding("escape", "cancel", "取消"),
    ]

    def __init__(self, save: Callable[..., Any]) -> None:
        super().__init__(classes="prompt")
        self._save = save

    def _error(self, msg: str) -> None:
        self.query_one(".prompt-error", Static).update(content(msg))

    def _run(self, call: Callable[[], Any]) -> None:
        def refused(e: Exception) -> None:
            self._error(str(e))

        def done(result: Any) -> None:
            self.dismiss(result)

        run_save(self, zapp(self).store, call, done, refused)

    def action_cancel(self) -> None:
        self.dismiss(None)


class AdjustDialog(_SavingDialog):
    """调整得分: points (+2 / -3) and a reason, both required."""

    DEFAULT_CSS = _CSS.format(cls="AdjustDialog")

    def __init__(self, title: str, save: Callable[[str, str], Any]) -> None:
        super().__init__(save)
        self._title = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt-box"):
            yield Static(content(self._title))
            yield Static(content("Enter 下一项，Ctrl+S 保存，Esc 取消"), classes="muted")
            with Horizontal(classes="row"):
                yield Label("调整分值")
                yield LimitedInput(id="adj-points", max_length=4, placeholder="+2 或 -3",
                                   compact=True)  # fmt: skip
            with Horizontal(classes="row"):
                yield Label("理由")
                yield LimitedInput(id="adj-reason", max_length=REASON_MAX,
                                   placeholder="必填，如 带头参加抢险", compact=True)  # fmt: skip
            yield Static(classes="prompt-error")

    def on_mount(self) -> None:
        self.query_one("#adj-points", Input).focus()

    @on(Input.Submitted, "#adj-points")
    def _next(self) -> None:
        self.query_one("#adj-reason", Input).focus()

    @on(Input.Submitted, "#adj-reason")
    def _submit(self) -> None:
        self.action_ok()

    def action_ok(self) -> None:
        points = self.query_one("#adj-points", Input).value
        reason = self.query_one("#adj-reason", Input).value
        if not points.strip():
            self._error("请填写调整分值，如 +2 或 -3")
            self.query_one("#adj-points", Input).focus()
            return
        if not reason.strip():
            self._error("请写明调整理由")
            self.query_one("#adj-reason", Input).focus()
            return
        self._run(lambda: self._save(points, reason))


class PledgeDialog(_SavingDialog):
    """先锋岗, 责任区 and 公开承诺 of one member."""

    DEFAULT_CSS = _CSS.format(cls="PledgeDialog")

    def __init__(
        self,
        title: str,
        save: Callable[[PostKind, str, str], Any],
        *,
        post: PostKind | None = None,
        area: str = "",
        pledge: str = "",
    ) -> None:
        super().__init__(save)
        self._title = title
        self._post, self._area, self._pledge = post, area, pledge

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt-box"):
            yield Static(content(self._title))
            yield Static(content("Tab 下一项，Ctrl+S 保存，Esc 取消"), classes="muted")
            with Horizontal(classes="row"):
                yield Label("先锋岗")
                yield Select(
                    [(text(p.value), p.value) for p in PostKind],
                    value=(self._post or PostKind.SAFETY).value,
                    allow_blank=False,
                    id="pl-post",
                    compact=True,
                )
            with Horizontal(classes="row"):
                yield Label("责任区")
                yield LimitedInput(self._area, id="pl-area", max_length=AREA_MAX,
                                   placeholder="如 采油一班井场", compact=True)  # fmt: skip
            yield Label("公开承诺")
            yield LimitedTextArea(self._pledge, id="pl-pledge", max_length=PLEDGE_MAX,
                                  soft_wrap=True)  # fmt: skip
            yield Static(classes="prompt-error")

    def on_mount(self) -> None:
        self.query_one("#pl-area", Input).focus()

    @on(Input.Submitted, "#pl-area")
    def _next(self) -> None:
        self.query_one("#pl-pledge", TextArea).focus()

    def action_ok(self) -> None:
        post = PostKind(str(self.query_one("#pl-post", Select).value))
        area = self.query_one("#pl-area", Input).value
        pledge = self.query_one("#pl-pledge", TextArea).text
        if not area.strip():
            self._error("请填写责任区")
            return
        if not pledge.strip():
            self._error("请填写公开承诺")
            return
        self._run(lambda: self._save(post, area, pledge))


class ReviewDialog(_SavingDialog):
    """本季度评议: kept or not, and a note (required when not kept)."""

    DEFAULT_CSS = _CSS.format(cls="ReviewDialog")
    # Enter saves from the box too, as the hint says: the checkbox's own Enter
    # toggled it, so Enter never saved from there.
    BINDINGS = [Binding("enter", "ok", "保存", show=False, priority=True)]

    def __init__(
        self, title: str, save: Callable[[bool, str], Any], *, kept: bool = True, note: str = ""
    ) -> None:
        super().__init__(save)
        self._title, self._kept, self._note = title, kept, note

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt-box"):
            yield Static(content(self._title))
            yield Static(content("空格 切换，Tab 到说明，Enter 或 Ctrl+S 保存，Esc 取消"), classes="muted")
            yield TextCheckbox("承诺已兑现", self._kept, id="rv-kept", compact=True)
            with Horizontal(classes="row"):
                yield Label("说明")
                yield LimitedInput(self._note, id="rv-note", max_length=NOTE_MAX,
                                   placeholder="未兑现时必填", compact=True)  # fmt: skip
            yield Static(classes="prompt-error")

    def on_mount(self) -> None:
        self.query_one("#rv-kept", TextCheckbox).focus()

    @on(Input.Submitted, "#rv-note")
    def _submit(self) -> None:
        self.action_ok()

    def action_ok(self) -> None:
        kept = self.query_one("#rv-kept", TextCheckbox).value
        note = self.query_one("#rv-note", Input).value
        if not kept and not note.strip():
            self._error("未兑现时请写明情况")
            self.query_one("#rv-note", Input).focus()
            return
        self._run(lambda: self._save(kept, note))
