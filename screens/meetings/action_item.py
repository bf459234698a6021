"""One decision or make-up item from a meeting: read it, close it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from domain.action_items import ActionKind
from domain.navigation import Place
from services import meetings as meeting_service
from services.errors import DomainError, InvalidInput
from widgets.app_handle import zapp
from widgets.background_save import run_save
from widgets.safe import content


class ActionItemScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("k", "close_item", "办结"),
        Binding("o", "open_meeting", "查看会议"),
        Binding("escape", "dismiss_screen", "返回"),
    ]

    def __init__(self, item_id: str) -> None:
        super().__init__(classes="dialog")
        self.item_id = item_id
        self._saving = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(id="ai-body")

    def on_mount(self) -> None:
        item = meeting_service.get_action_item(zapp(self).store, self.item_id)
        if item is None:
            self.dismiss(False)
            return
        self.item = i = item
        lines = [
            f"{i.kind}（来自 {i.source}）",
            "",
            i.text,
            "",
            f"责任人：{i.owner_name or '未定'}    完成时限：{i.deadline.isoformat() if i.deadline else '无'}",
            f"状态：{'已办结 ' + i.closed_at if i.closed_at else '未办结'}",
            "",
            ("k 登记补学  " if i.kind is ActionKind.MAKE_UP else "k 办结  ")
            + "o 查看会议  Esc 返回",
        ]
        self.query_one("#ai-body", Static).update(content("\n".join(lines), multiline=True))

    def action_close_item(self) -> None:
        if self.item.closed_at:
            self.notify("已经办结", markup=False)
            return
        if self.item.kind is ActionKind.MAKE_UP:
            self._record_make_up()
            return
        if self._saving:
            return  # a second k while the first waits closes nothing twice
        store, item = zapp(self).store, self.item
        self._saving = True

        def refused(e: Exception) -> None:
            self._saving = False
            self.notify(str(e), severity="error", markup=False)

        def done(_result: object) -> None:
            self._saving = False
            self.notify("已办结", markup=False)
            self.dismiss(True)

        # Waiting for another process's lock happens off the UI thread
        # (docs/RELIABILITY.md, R7).
        run_save(self, store, lambda: meeting_service.close_action_item(store, item), done, refused)

    def _record_make_up(self) -> None:
        """补学 is closed by recording how it was done, not by a bare 办结."""
        from pydantic import ValidationError

        from domain.errors_cn import describe_validation_error
        from screens.meetings.dialogs import MakeUpDialog, MakeUpForm

        store, item_id = zapp(self).store, self.item_id

        def save(form: MakeUpForm) -> None:
            # Runs in a thread when the lock is busy: refusals become worded
            # DomainErrors for the dialog to show.
            try:
                meeting_service.record_make_up(
                    store,
                    item_id,
                    done_on=form.done_on,
                    method=form.method,
                    checked_by=form.checked_by,
                    note=form.note,
                )
            except ValidationError as e:
                labels = {"checked_by": "检查人", "note": "备注"}
                raise InvalidInput(describe_validation_error(e, labels)) from e
            except DomainError:
                raise
            except ValueError as e:
                raise InvalidInput(str(e)) from e

        def recorded(done: bool | None) -> None:
            if done:
                self.notify(f"已登记 {self.item.owner_name} 的补学", markup=False)
                self.dismiss(True)

        title = f"登记补学：{self.item.owner_name or '（未记姓名）'}"
        self.app.push_screen(MakeUpDialog(title, zapp(self).today, save), recorded)

    def action_open_meeting(self) -> None:
        if self.item.meeting_id:
            mid = self.item.meeting_id
            self.dismiss(False)
            zapp(self).go(Place.MEETING, mid)

    def action_dismiss_screen(self) -> None:
        self.dismiss(False)
