"""一人一事 lists: mine, my branch's, overdue; filtered by status, level and
member; paged from SQL. Rows come from storage already redacted for the
viewer, so a private case shows only that it exists and when it is due.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Header, Select, Static

from domain import followups as fx
from domain.dates import format_date
from domain.followups import FollowUp, Level, Status
from domain.people import Person
from screens.followups.form import current_viewer
from services import identity, org_lookup, private_details
from services.accounts import Viewer
from services.followups import ListQuery, Scope
from services.roster import members_of
from widgets.app_handle import zapp
from widgets.background_save import run_save
from widgets.footer import KeyFooter
from widgets.paging import PagedList
from widgets.safe import content, text
from widgets.tables import add_columns

PAGE = 100
ALL = "*"
OPEN = "open"


def mine_help(viewer: Viewer, pending: str = "", needs_pin: bool = False) -> str:
    if needs_pin:
        return f"账户 {viewer.os_user} 设有 PIN：按 w 输入 PIN 后列出您负责的事项。"
    if pending:
        return (
            f"账户 {viewer.os_user} 申请对应 {pending}：待批准（管理员或该支部书记批准后生效；"
            "在此之前您看不到任何保密内容）。"
        )
    return (
        f"“我的”需要知道您是花名册中的哪一位：当前系统账户 {viewer.os_user} 尚未对应人员。"
        "按 w 选择您的姓名提交申请，经管理员或支部书记批准后，这里列出您负责的事项。"
    )


class FollowupListScreen(PagedList, Screen[None]):
    page_size = PAGE

    BINDINGS = [
        Binding("1", "scope('我的')", "我的"),
        Binding("2", "scope('本支部')", "本支部"),
        Binding("3", "scope('逾期')", "逾期"),
        Binding("f", "file", "登记"),
        Binding("x", "export", "导出台账"),
        Binding("w", "identity", "我是谁"),
        Binding("a", "requests", "账户申请", show=False),
        Binding("t", "triggers", "必谈必访", show=False),
        Binding("n", "next_page", "下一页", show=False),
        Binding("p", "prev_page", "上一页", show=False),
        Binding("escape", "back", "返回"),
    ]

    def __init__(self, scope: Scope | str | None = None) -> None:
        super().__init__()
        self._scope_arg = Scope(scope) if scope else None
        self.scope = Scope.BRANCH
        self.page_offset = 0
        self.total = 0
        self.viewer: Viewer | None = None
        self._loading = True
        self._private_ids: set[str] = set()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="fl-scope")
        with Horizontal(id="fl-filters"):
            self._branches = org_lookup.branches(zapp(self).store)
            yield Select(
                [("全部支部", ALL), *[(text(b.name), b.id) for b in self._branches]],
                id="fl-branch",
                allow_blank=False,
                compact=True,
            )
            yield Select(
                [("未办结", OPEN), *[(s.value, s.value) for s in Status]],
                id="fl-status",
                prompt="全部状态",
                compact=True,
            )
            yield Select(
                [(lv.value, lv.value) for lv in Level],
                id="fl-level",
                prompt="全部级别",
                compact=True,
            )
            yield Select([], id="fl-member", prompt="全部责任人", compact=True)
        yield DataTable(id="fl-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="fl-status-line")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        add_columns(
            table,
            (
                ("对象", "person", 8),
                ("触发情形", "trigger", 14),
                ("级别", "level", 4),
                ("状态", "status", 8),
                ("责任人", "resp", 6),
                ("下次联系", "next", 10),
                ("提示", "note", 10),
            ),
        )
        self.viewer = current_viewer(zapp(self))
        branches = self._branches
        sel = self.query_one("#fl-branch", Select)
        with self.prevent(Select.Changed):
            ids = {b.id for b in branches}
            default = self.viewer.branch_id if self.viewer.branch_id in ids else None
            sel.value = default or (branches[0].id if branches else ALL)
            self._fill_members()
        self.scope = self._scope_arg or (Scope.MINE if self.viewer.mapped else Scope.BRANCH)
        self.reload()
        table.focus()
        self.call_after_refresh(self._done_loading)

    def _done_loading(self) -> None:
        self._loading = False

    def on_screen_resume(self) -> None:
        if self._loading:
            return  # on_mount has just loaded
        self.viewer = current_viewer(zapp(self))
        self.reload()

    # -- query -------------------------------------------------------------
    def _branch(self) -> str | None:
        value = self.query_one("#fl-branch", Select).value
        return None if value in (ALL, Select.NULL) else str(value)

    def list_query(self) -> ListQuery:
        status = self.query_one("#fl-status", Select)
        level = self.query_one("#fl-level", Select)
        member = self.query_one("#fl-member", Select)
        status_value = None if status.is_blank() else str(status.value)
        return ListQuery(
            scope=self.scope,
            branch_id=None if self.scope is Scope.MINE else self._branch(),
            status=Status(status_value) if status_value not in (None, OPEN) else None,
            open_only=status_value == OPEN,
            level=None if level.is_blank() else Level(str(level.value)),
            responsible_id=None if member.is_blank() else str(member.value),
        )

    def _fill_members(self) -> None:
        branch = self._branch()
        members: list[Person] = members_of(zapp(self).store, branch) if branch else []
        sel = self.query_one("#fl-member", Select)
        sel.set_options([(text(p.name), p.id) for p in members])
        sel.disabled = not members

    def reload(self) -> None:
        store = zapp(self).store
        today: date = zapp(self).today
        assert self.viewer is not None
        q = self.list_query()
        self.total = private_details.count(store, q, today=today, viewer=self.viewer)
        if self.page_offset >= self.total:
            self.page_offset = max(0, (self.total - 1) // PAGE * PAGE)
        rows = private_details.page(
            store,
            q,
            today=today,
            viewer=self.viewer,
            who=private_details.reader(store),
            offset=self.page_offset,
            limit=PAGE,
        )
        self._fill(rows, today)
        self._show_scope()
        line = ""
        if self.scope is Scope.MINE and not self.viewer.mapped:
            app = zapp(self)
            req = identity.my_request(store)
            line = mine_help(
                self.viewer,
                req.person_name if req else "",
                identity.needs_pin(store, app.pin_session)
                and identity.acting_roles(store).person_id is not None,
            )
        elif not rows:
            line = "没有符合条件的一人一事。按 f 登记一件。"
        self.query_one("#fl-status-line", Static).update(content(line))

    def _show_scope(self) -> None:
        out = Text()
        for key, scope in (("1", Scope.MINE), ("2", Scope.BRANCH), ("3", Scope.OVERDUE)):
            style = "reverse bold" if scope is self.scope else "dim"
            out.append(f" {key} {scope} ", style=style)
            out.append(" ")
        if self.total:
            last = min(self.page_offset + PAGE, self.total)
            out.append(f"  共 {self.total} 件")
            if self.total > PAGE:
                out.append(f"，第 {self.page_offset + 1}–{last} 件（n/p 翻页）")
        self.query_one("#fl-scope", Static).update(out)

    def _fill(self, rows: list[FollowUp], today: date) -> None:
        table = self.query_one(DataTable)
        table.clear()
        self._private_ids = {fu.id for fu in rows if fu.private}
        for fu in rows:
            late = fx.days_overdue(fu, today)
            if late:
                note = Text(f"逾期{late}天", style="bold red")
            elif fx.is_due(fu, today):
                note = Text("今天", style="bold")
            else:
                note = Text("")
            if fu.private:
                note.append(" 保密" if note.plain else "保密", style="dim")
            table.add_row(
                text(fu.person_name),
                text(fu.trigger_text.split("：", 1)[-1]),
                text(fu.level),
                text(fu.status),
                text(fu.responsible_name),
                text(format_date(fu.next_contact)),
                note,
                key=fu.id,
            )

    def _current_id(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    # -- events ------------------------------------------------------------
    @on(Select.Changed)
    def _filter_changed(self, event: Select.Changed) -> None:
        if self._loading:
            return
        if event.select.id == "fl-branch":
            with self.prevent(Select.Changed):
                self._fill_members()
        self.page_offset = 0
        self.reload()

    @on(DataTable.RowSelected, "#fl-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        from screens.followups.timeline import FollowupTimelineScreen
        from screens.pin import with_pin

        fu_id = str(event.row_key.value)

        def show() -> None:
            self.app.push_screen(FollowupTimelineScreen(fu_id))

        if fu_id in self._private_ids:
            with_pin(self, "查看保密事项", show)  # the PIN first, on a shared account
        else:
            show()

    # -- actions -----------------------------------------------------------
    def action_scope(self, scope: str) -> None:
        self.scope = Scope(scope)
        self.page_offset = 0
        self.reload()
        self.query_one(DataTable).focus()

    def page_total(self) -> int:
        return self.total

    def action_file(self) -> None:
        from screens.followups.quick import QuickFileScreen

        def done(result: FollowUp | None) -> None:
            if result is not None:
                self.reload()

        self.app.push_screen(QuickFileScreen(self._branch()), done)

    def action_export(self) -> None:
        from screens.followups.export import LedgerExportScreen

        self.app.push_screen(LedgerExportScreen(self._branch()))

    def action_triggers(self) -> None:
        from screens.followups.triggers import TriggerCatalogueScreen

        self.app.push_screen(TriggerCatalogueScreen(self._branch()))

    def action_identity(self) -> None:
        """我是谁: only files a request; an administrator or the branch's
        granted 书记 approves it (until then the account has no person)."""
        from screens.pin import with_pin
        from widgets.person_picker import PickPersonScreen

        app = zapp(self)
        store = app.store
        if identity.is_shared(store, app.pin_session):
            # Several people share this account: who you are is a sign-in
            # with your personal PIN, not a mapping of the account.
            from screens.signin import SignInScreen

            def signed(ok: bool | None) -> None:
                self.viewer = current_viewer(app)
                self.reload()

            app.push_screen(SignInScreen(), signed)
            return
        me = identity.acting_roles(store, session=app.pin_session)
        if me.person_id is not None and not me.proven:

            def proven() -> None:
                self.notify("PIN 正确", markup=False)
                self.viewer = current_viewer(app)
                self.reload()

            with_pin(self, "证明您是本账户对应的人", proven)
            return

        def done(result: object) -> None:
            if not isinstance(result, Person):
                return

            def filed(req: identity.Request) -> None:
                self.notify(
                    f"已提交申请：账户 {req.account} 是 {req.person_name}。待批准"
                    "（管理员或该支部书记批准后生效）",
                    markup=False,
                    timeout=8,
                )
                self.viewer = current_viewer(app)
                self.reload()

            def refused(e: Exception) -> None:
                self.notify(str(e), severity="error", markup=False, timeout=8)

            # Off the UI thread while another writer holds the lock (R7).
            person_id = result.id
            run_save(self, store, lambda: identity.request_mapping(store, person_id),
                     filed, refused)  # fmt: skip

        self.app.push_screen(
            PickPersonScreen(f"我是谁（账户 {me.account}，提交后待批准）", members_only=True), done
        )

    def action_requests(self) -> None:
        from screens.roster.account_requests import AccountRequestsScreen

        self.app.push_screen(AccountRequestsScreen())

    def action_back(self) -> None:
        self.app.pop_screen()
