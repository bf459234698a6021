"""会议记录: finished meetings, newest first, paged from SQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from domain.navigation import Place
from services import meetings as meeting_service
from services.export_minutes import MinutesExport
from widgets.app_handle import BackgroundFailed, zapp
from widgets.footer import KeyFooter
from widgets.job_progress import JobProgress
from widgets.paging import PagedList
from widgets.safe import text
from widgets.work_result import post_result

PAGE = 100


class MeetingsScreen(PagedList, Screen[None]):
    page_size = PAGE

    BINDINGS = [
        Binding("n", "app.go('new_meeting')", "新建会议"),
        Binding("x", "export_year", "导出本年"),
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
        yield JobProgress(id="meetings-progress")
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

    def action_export_year(self) -> None:
        """Every finished meeting of this year as .docx records; a year is
        hundreds of files, so a progress bar shows how far it has got."""
        year = zapp(self).today.year
        out = meeting_service.default_export_dir()  # where one meeting's export goes
        self.notify(f"正在导出 {year} 年的会议记录…", markup=False)
        self._export_year(out, year)

    class YearExported(Message):
        def __init__(self, result: MinutesExport) -> None:
            super().__init__()
            self.result = result

    @work(thread=True, exclusive=True, group="minutes-year")
    def _export_year(self, out: Path, year: int) -> None:
        from services.export_minutes import export_minutes

        bar = self.query_one(JobProgress)
        result = export_minutes(
            zapp(self).store,
            out,
            date_from=date(year, 1, 1),
            date_to=date(year, 12, 31),
            step=lambda p: self.app.call_from_thread(bar.step, "导出会议记录", p),
        )
        post_result(self, self.YearExported(result))

    @on(BackgroundFailed)
    def _year_failed(self, event: BackgroundFailed) -> None:
        # The app has reported it; the bar must not stay up claiming progress.
        if event.worker.group == "minutes-year":
            self.query_one(JobProgress).display = False

    @on(YearExported)
    def _year_exported(self, event: YearExported) -> None:
        self.query_one(JobProgress).display = False
        result = event.result
        failed = f"，{len(result.failed)} 个失败" if result.failed else ""
        msg = f"已导出 {len(result.written)} 份会议记录到 {result.out_dir}{failed}"
        if not result.total:
            msg = "本年没有已完成的会议"
        self.notify(msg, markup=False, timeout=10)

    def page_total(self) -> int:
        return meeting_service.count_finished(zapp(self).store)
