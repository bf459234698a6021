"""切换身份 on a shared OS account: pick who you are, type your personal PIN,
and the session acts as that person (their granted roles, every write
audited as ACCOUNT(as PERSON)) until 退出身份 or the idle limit
(services.identity.sign_in; docs/SECURITY.md#shared-accounts)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from domain.people import Person
from services import identity
from services.errors import DomainError
from widgets.app_handle import zapp
from widgets.limited_input import LimitedInput
from widgets.safe import content


class SignInScreen(ModalScreen[bool]):
    """Dismisses True once a person signed in (or set their first PIN)."""

    BINDINGS = [
        Binding("escape", "cancel", "取消"),
        Binding("ctrl+o", "sign_out", "退出身份"),
        Binding("ctrl+n", "pick", "换人"),
    ]

    def __init__(self, why: str = "", person: Person | None = None) -> None:
        super().__init__(classes="prompt")
        self._why = why
        self.person = person
        self._first = False  # this person sets their first PIN (typed twice)

    def compose(self) -> ComposeResult:
        with Vertical(classes="prompt-box"):
            yield Static(id="signin-title")
            yield LimitedInput(password=True, max_length=identity.PIN_MAX_LENGTH, id="signin-pin")
            yield LimitedInput(password=True, max_length=identity.PIN_MAX_LENGTH, id="signin-pin2")
            yield Static(classes="prompt-error", id="signin-error")

    def on_mount(self) -> None:
        self.query_one("#signin-pin2").display = False
        if self.person is not None:
            self._picked(self.person)
            return
        current = identity.signed_in_name(zapp(self).store)
        if current:
            self.query_one("#signin-pin").display = False
            self._title(f"当前身份：{current}。Ctrl+O 退出身份，Ctrl+N 换一个人，Esc 关闭")
            return
        self.action_pick()

    def _title(self, value: str) -> None:
        self.query_one("#signin-title", Static).update(content(value))

    def _error(self, value: str) -> None:
        self.query_one("#signin-error", Static).update(content(value))

    def action_pick(self) -> None:
        from widgets.person_picker import PickPersonScreen

        def done(result: object) -> None:
            if isinstance(result, Person):
                self._picked(result)
            elif self.person is None and not identity.signed_in_name(zapp(self).store):
                self.dismiss(False)

        zapp(self).push_screen(PickPersonScreen("切换身份：您是谁"), done)

    def _picked(self, person: Person) -> None:
        store = zapp(self).store
        self.person = person
        self._error("")
        pin, again = self.query_one("#signin-pin", Input), self.query_one("#signin-pin2", Input)
        pin.value = again.value = ""
        pin.display = True
        why = f"（{self._why}）" if self._why else ""
        self._first = not identity.person_has_pin(store, person.id)
        again.display = False
        if not self._first:
            self._title(f"切换为 {person.name}{why}：请输入个人 PIN（Enter 确定，Esc 取消）")
        else:
            refused = identity.may_set_own_pin(store, person.id)
            if refused:
                self._title(f"切换为 {person.name}{why}")
                self._error(f"{person.name} 还没有个人 PIN。{refused}")
            else:
                self._title(
                    f"{person.name} 第一次切换身份{why}：请设置个人 PIN"
                    f"（至少 {identity.PIN_MIN_LENGTH} 位，输两次）"
                )
        pin.focus()

    @on(Input.Submitted, "#signin-pin")
    def _submit(self, event: Input.Submitted) -> None:
        app = zapp(self)
        if self.person is None:
            return
        if self._first:
            if identity.may_set_own_pin(app.store, self.person.id):
                return  # the reason is on screen already
            try:
                identity.check_pin_text(event.value)
            except DomainError as e:
                self._error(str(e))
                return
            again = self.query_one("#signin-pin2", Input)
            again.display = True
            again.focus()
            self._error("请再输入一次确认")
            return
        field = self.query_one("#signin-pin", Input)
        pin = event.value
        field.value = ""  # never kept on screen, in a draft or in the widget
        try:
            result = identity.sign_in(app.store, self.person.id, pin, app.pin_session)
        except DomainError as e:
            self._error(str(e))
            return
        if result.ok:
            self._done()
            return
        self._error(result.message)

    @on(Input.Submitted, "#signin-pin2")
    def _submit_again(self, event: Input.Submitted) -> None:
        app = zapp(self)
        first = self.query_one("#signin-pin", Input)
        again = self.query_one("#signin-pin2", Input)
        pin, repeat = first.value, event.value
        first.value = again.value = ""
        if self.person is None:
            return
        if pin != repeat:
            again.display = False
            first.focus()
            self._error("两次输入的 PIN 不一致，请重新设置")
            return
        try:
            identity.set_own_pin(app.store, self.person.id, pin, app.pin_session)
        except DomainError as e:
            self._error(str(e))
            return
        self._done()

    def _done(self) -> None:
        assert self.person is not None
        self.notify(f"当前身份：{self.person.name}", markup=False)
        self.dismiss(True)

    def action_sign_out(self) -> None:
        sign_out(self)
        self.dismiss(False)

    def action_cancel(self) -> None:
        self.dismiss(False)


def sign_out(node: DOMNode) -> None:
    """退出身份: back to nobody, and to 今日 (closing private screens)."""
    from domain.navigation import Place

    app = zapp(node)
    had = identity.signed_in_name(app.store)
    identity.sign_out(app.store, app.pin_session)
    if had:
        app.notify(f"已退出身份（{had}），现在无身份", markup=False)
    app.call_later(app.go, Place.HOME)
