"""账户申请: the pending "我是谁" requests this session may decide.

An administrator sees all of them; a granted 书记 sees their branch's. With a
PIN on the account the list opens only after the PIN (acting with a role).
Approving maps the account to the person and grants 党员 of the branch.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from services import identity
from widgets.app_handle import zapp
from widgets.background_save import run_save
from widgets.footer import KeyFooter
from widgets.safe import content, text
from widgets.tables import add_columns


class AccountRequestsScreen(Screen[None]):
    BINDINGS = [
        Binding("a", "decide(True)", "批准"),
        Binding("x", "decide(False)", "拒绝"),
        Binding("escape", "back", "返回"),
    ]

    _saving = False  # a decision waiting for the lock

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(content("待批准的账户申请（“我是谁”）"), id="ar-title")
        yield DataTable(id="ar-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="ar-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        add_columns(
            self.query_one(DataTable),
            (("账户", "account", 14), ("姓名", "name", 8), ("支部", "branch", 16),
             ("申请时间", "at", 19)),
        )  # fmt: skip
        from screens.pin import with_pin

        self.reload()
        with_pin(self, "批准申请要以书记或管理员身份操作", self.reload)

    def reload(self) -> None:
        app = zapp(self)
        table = self.query_one(DataTable)
        table.clear()
        me = identity.acting_roles(app.store, session=app.pin_session)
        pending = identity.requests_i_may_decide(app.store, app.pin_session)
        for req in pending:
            table.add_row(
                text(req.account), text(req.person_name), text(req.branch_name),
                text(req.requested_at.replace("T", " ")), key=req.id,
            )  # fmt: skip
        if not me.proven:
            line = "本账户设有 PIN：验证后才能批准。"
        elif not (me.is_admin or me.secretary_branches()):
            line = "只有管理员或支部书记（经授予）可以批准申请。"
        elif not pending:
            line = "没有待批准的申请。"
        else:
            line = f"共 {len(pending)} 条。a 批准，x 拒绝。"
        self.query_one("#ar-status", Static).update(content(line))
        table.focus()

    def _current(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def action_decide(self, approve: bool) -> None:
        if self._saving:
            self.notify("正在保存（数据库忙时请稍候），完成后再操作", markup=False)
            return  # a second a/x while the first waits decides nothing twice
        rid = self._current()
        if rid is None:
            return
        app = zapp(self)
        store, session = app.store, app.pin_session
        self._saving = True
        self.query_one("#ar-status", Static).update(content("正在保存…"))

        def refused(e: Exception) -> None:
            self._saving = False
            self.notify(str(e), severity="error", markup=False, timeout=8)
            self.reload()

        def done(req: identity.Request) -> None:
            self._saving = False
            verb = "已批准" if approve else "已拒绝"
            self.notify(f"{verb}：账户 {req.account} 是 {req.person_name}", markup=False)
            self.reload()

        # Waiting for another process's lock happens off the UI thread
        # (docs/RELIABILITY.md, R7).
        run_save(
            self, store,
            lambda: identity.decide_request(store, rid, approve=approve, session=session),
            done, refused,
        )  # fmt: skip

    def action_back(self) -> None:
        if self._saving:
            self.notify("正在保存（数据库忙时请稍候），完成后再返回", markup=False)
            return
        self.app.pop_screen()
