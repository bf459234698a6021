"""会议记录: finished meetings, newest first, paged from SQL."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from domain.navigation import Place
from services import meetings as meeting_service
from widgets.app_handle import zapp
from widgets.footer import KeyFooter
from widgets.paging import PagedList
from widgets.safe import text

PAGE = 100


class MeetingsScreen(PagedList, Screen[None]):
    page_size = PAGE

    BINDINGS = [
        Binding("n", "app.go('new_meeting')", "新建会议"),
        Binding("enter", "open", "打开", show=False),
        Binding("right_square_bracket", "next_page", "下一页", key_display="]"),
        Binding("left_square_bracket", "prev_page", "上一页", key_display="["),
        Binding("escape", "app.back", "返回"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.page_offset = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="meetings-status")
        yield DataTable(id="meetings-table", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        t = self.query_one(DataTable)
        for label, width in (("日期", 10), ("类型", 12), ("支部/小组", 22), ("版本", 6)):
            t.add_column(label, width=width)
        self.reload()
        t.focus()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        store = zapp(self).store
        rows = meeting_service.finished_page(store, offset=self.page_offset, limit=PAGE)
        total = meeting_service.count_finished(store)
        t = self.query_one(DataTable)
        t.clear()
        for m in rows:
            t.add_row(text(m.date.isoformat()), text(m.kind), text(m.org_name),
                      text(f"第{m.revision}版" if m.revision > 1 else ""), key=m.id)  # fmt: skip
        end = self.page_offset + len(rows)
        status = f"已完成的会议 {total} 次" + (
            f"，第 {self.page_offset + 1}–{end} 次（[ ] 翻页）" if total > PAGE else ""
        )
        self.query_one("#meetings-status", Static).update(text(status + "。Enter 打开，n 新建会议"))

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        zapp(self).go(Place.MEETING, str(event.row_key.value))

    def page_total(self) -> int:
        return meeting_service.count_finished(zapp(self).store)
