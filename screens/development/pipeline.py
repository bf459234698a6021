"""发展党员 pipeline for one branch: who is at which stage, what is due next,
what is late. Late items carry the text marker 【逾期】 (never colour alone).

Enter opens the person view; a adds an applicant (pinyin search); Escape returns.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Select, Static

from domain.dates import format_date
from domain.navigation import Place
from domain.people import Person
from services import development as dev_service
from services import org_lookup
from widgets.app_handle import zapp
from widgets.branch_select import branch_select, chosen_branch, opening_branch
from widgets.footer import KeyFooter
from widgets.person_picker import PickPersonScreen
from widgets.safe import content, text
from widgets.tables import add_columns

LATE = "【逾期】"


class DevelopmentScreen(Screen[None]):
    BINDINGS = [
        Binding("enter", "open", "查看本人", show=False),
        Binding("a", "add", "新增申请人"),
        Binding("escape", "back", "返回"),
    ]

    def __init__(self, branch_id: str | None = None) -> None:
        super().__init__()
        self._branch_arg = branch_id
        self._loading = True

    def compose(self) -> ComposeResult:
        self._branches = org_lookup.branches(zapp(self).store)
        yield Header()
        yield branch_select(self._branches, "dv-branch")
        yield Static(id="dv-summary")
        yield DataTable(id="dv-table", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "发展党员"
        table = self.query_one("#dv-table", DataTable)
        add_columns(
            table,
            (
                ("姓名", "name", 6),
                ("所处阶段", "stage", 16),
                ("下一步", "next", 18),
                ("日期", "on", 10),
                ("逾期", "late", 16),
            ),
        )
        branch = opening_branch(zapp(self).store, self._branches, self._branch_arg)
        with self.prevent(Select.Changed):
            if branch:
                self.query_one("#dv-branch", Select).value = branch
        self.reload()
        table.focus()
        self.call_after_refresh(self._done_loading)

    def _done_loading(self) -> None:
        self._loading = False

    def on_screen_resume(self) -> None:
        if not self._loading:
            self.reload()

    @property
    def branch_id(self) -> str | None:
        return chosen_branch(self.query_one("#dv-branch", Select))

    @on(Select.Changed, "#dv-branch")
    def _branch_changed(self) -> None:
        self.reload()

    def reload(self) -> None:
        table = self.query_one("#dv-table", DataTable)
        summary = self.query_one("#dv-summary", Static)
        table.clear()
        branch = self.branch_id
        if branch is None:
            summary.update(content("请先选择支部。"))
            return
        app = zapp(self)
        rows = dev_service.pipeline(
            app.store, branch, app.today, config=app.settings.rules.development
        )
        for r in rows:
            nxt = r.next_due
            # One late item by name; several by count (the person view lists them).
            late = (
                r.late[0].kind.value if len(r.late) == 1 else f"{len(r.late)} 项" if r.late else ""
            )
            table.add_row(
                text(r.name),
                text(r.stage.value if r.stage else "（未开始）"),
                text((LATE if nxt and nxt.late else "") + (nxt.kind.value if nxt else "—")),
                text(format_date(nxt.on) if nxt else ""),
                text(f"{LATE}{late}" if late else "", style="bold"),
                key=r.person_id,
            )
        n_late = sum(1 for r in rows if r.late)
        line = Text(f"共 {len(rows)} 人在发展程序中")
        if n_late:
            line.append(f"，{n_late} 人有逾期事项（标 {LATE}）", style="bold")
        line.append("。Enter 查看本人，a 新增申请人。")
        summary.update(line)

    def _current(self) -> str | None:
        table = self.query_one("#dv-table", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return str(key) if key else None

    @on(DataTable.RowSelected, "#dv-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        pid = self._current()
        if pid:
            zapp(self).go(Place.DEVELOPMENT_PERSON, pid)

    @work
    async def action_add(self) -> None:
        picked = await self.app.push_screen_wait(
            PickPersonScreen("新增入党申请人", branch_id=self.branch_id)
        )
        if isinstance(picked, Person):
            zapp(self).go(Place.DEVELOPMENT_PERSON, picked.id)

    def action_back(self) -> None:
        self.app.pop_screen()
