"""The PIN prompt: a person on a shared account proves who they are before
private details are shown or a role is used, and again after the session has
been idle (services.identity.PinSession; docs/SECURITY.md#pin)."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from services import identity
from services.errors import DomainError
from widgets.app_handle import zapp
from widgets.limited_input import LimitedInput
from widgets.safe import content


class PinScreen(ModalScreen[bool]):
    """Ask for this account's PIN; dismisses True once it was right."""

    BINDINGS = [Binding("escape", "cancel", "取消")]

    def __init__(self, why: str) -> None:
        super().__init__(classes="prompt")
        self._why = why

    def compose(self) -> ComposeResult:
        account = identity.acting_roles(zapp(self).store).account
        with Vertical(classes="prompt-box"):
            yield Static(
                content(f"请输入账户 {account} 的 PIN：{self._why}（Enter 确定，Esc 取消）")
            )
            yield LimitedInput(password=True, max_length=identity.PIN_MAX_LENGTH, id="pin-input")
            yield Static(classes="prompt-error", id="pin-error")

    def on_mount(self) -> None:
        self.query_one("#pin-input", Input).focus()

    @on(Input.Submitted, "#pin-input")
    def _submit(self, event: Input.Submitted) -> None:
        field = self.query_one("#pin-input", Input)
        pin = event.value
        field.value = ""  # never kept on screen, in a draft or in the widget
        app = zapp(self)
        try:
            result = identity.verify_pin(app.store, pin, app.pin_session)
        except DomainError as e:
            self.query_one("#pin-error", Static).update(content(str(e)))
            return
        if result.ok:
            self.dismiss(True)
            return
        self.query_one("#pin-error", Static).update(content(result.message))

    def action_cancel(self) -> None:
        self.dismiss(False)


def with_pin(node: DOMNode, why: str, then: Callable[[], None]) -> None:
    """Run *then* now if this session needs no PIN, else after a right PIN."""
    app = zapp(node)
    if not identity.needs_pin(app.store, app.pin_session):
        then()
        return

    def done(ok: bool | None) -> None:
        if ok:
            then()

    if identity.is_shared(app.store, app.pin_session):
        from screens.signin import SignInScreen

        app.push_screen(SignInScreen(why), done)  # a shared account: who are you?
        return
    app.push_screen(PinScreen(why), done)
