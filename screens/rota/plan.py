"""党课计划: the lectures of one confirmed rota plan with their review state,
overdue marks, and the keys to review, hold, export or plan anew."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from domain.courseware import Lecture
from domain.navigation import Place
from screens.rota.format import (
    READY_STATES,
    lecture_detail,
    lecture_hint,
    short_date,
    state_label,
)
from services import rota as rota_service
from services.rota import RotaPlanRecord
from widgets.app_handle import ZhibuAppBase, zapp
from widgets.footer import KeyFooter
from widgets.safe import content, plain, text
from widgets.tables import add_columns


class RotaPlanScreen(Screen[None]):
    BINDINGS = [
        Binding("o", "open", "课件审核"),
        Binding("g", "start", "开始授课"),
        Binding("x", "export", "导出"),
        Binding("n", "new_plan", "新建计划"),
        Binding("left_square_bracket", "older", "上一期", key_display="["),
        Binding("right_square_bracket", "newer", "下一期", key_display="]"),
        Binding("f5", "refresh", "刷新", show=False),
        Binding("escape", "app.back", "返回"),
    ]

    def __init__(self, plan_id: str | None = None) -> None:
        super().__init__()
        self.plan_id = plan_id
        self.record: RotaPlanRecord | None = None
        self.lectures: list[Lecture] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="plan-head")
        yield Static(id="plan-warn")
        yield DataTable(id="plan-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="plan-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        add_columns(
            table,
            (
                ("序号", "n", 4),
                ("日期", "date", 13),
                ("授课人", "who", 8),
                ("题目", "topic", 20),
                ("审核状态", "state", 10),
                ("提示", "hint", 12),
            ),
        )
        self.reload()
        table.focus()

    def on_screen_resume(self) -> None:
        self.reload()

    def action_refresh(self) -> None:
        self.reload()

    # -- data --------------------------------------------------------------
    def _plans(self) -> list[RotaPlanRecord]:
        return rota_service.list_plans(zapp(self).store)

    def reload(self) -> None:
        store = zapp(self).store
        today = zapp(self).today
        if self.plan_id is None:
            plans = self._plans()
            current = [p for p in plans if p.period.year == today.year]
            chosen = current or plans
            self.plan_id = chosen[0].id if chosen else None
        self.record, self.lectures = rota_service.plan_with_lectures(store, self.plan_id)
        head = self.query_one("#plan-head", Static)
        warn = self.query_one("#plan-warn", Static)
        if self.record is None:
            head.update(content("还没有党课轮讲计划。按 n 新建计划。"))
            warn.display = False
            self._fill()
            return
        req = self.record.plan.request
        head.update(
            Text.assemble(
                (plain(f"{self.record.org_name} {self.record.period.label}党课计划"), "bold"),
                (plain(f"  {req.cadence}，{len(self.lectures)} 次"), "dim"),
            )
        )
        warnings = self.record.plan.warnings
        warn.update(Text(plain("⚠ " + " ".join(warnings)), style="yellow") if warnings else "")
        warn.display = bool(warnings)
        self._fill()

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        today = zapp(self).today
        for k, lec in enumerate(self.lectures, start=1):
            hint, style = lecture_hint(lec, today)
            number = lec.slot_index + 1 if lec.slot_index is not None else k
            table.add_row(
                Text(str(number), justify="right"),
                text(short_date(lec.lecture_date)),
                text(lec.lecturer_name),
                text(lec.topic or "（待定）", style="" if lec.topic else "dim"),
                text(state_label(lec), style="green" if lec.given else ""),
                text(hint, style=style),
                key=lec.id,
            )
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        self._show_detail()

    def _current(self) -> Lecture | None:
        table = self.query_one(DataTable)
        if not table.row_count or not self.lectures:
            return None
        return self.lectures[min(table.cursor_row, len(self.lectures) - 1)]

    @on(DataTable.RowHighlighted, "#plan-table")
    def _show_detail(self) -> None:
        lec = self._current()
        detail = self.query_one("#plan-detail", Static)
        if lec is None:
            detail.update("")
            return
        detail.update(content(lecture_detail(lec, zapp(self).today), multiline=True))

    # -- actions -----------------------------------------------------------
    @on(DataTable.RowSelected, "#plan-table")
    def _row_selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        lec = self._current()
        if lec is None:
            return
        zapp(self).go(Place.LECTURE, lec.id)

    async def action_start(self) -> None:
        lec = self._current()
        if lec is None:
            return
        if lec.given:
            self.notify(f"这次党课已讲授：{lec.attendance or '已关联会议记录'}", markup=False)
            return
        if lec.state not in READY_STATES:
            self.notify(
                f"注意：课件尚未审核通过（{lec.state}），按党课程序须先审后讲",
                severity="warning",
                markup=False,
                timeout=8,
            )
        # The meeting workflow pre-fills a 党课 meeting (and later calls
        # storage.rota.mark_given).
        zapp(self).go(Place.LECTURE_MEETING, lec.id)

    def action_export(self) -> None:
        if self.record is None:
            self.notify("还没有可导出的计划", markup=False)
            return
        from screens.rota.export import ExportPlanScreen

        self.app.push_screen(
            ExportPlanScreen(self.record.id, self.record.title, default_export_dir(zapp(self)))
        )

    def action_new_plan(self) -> None:
        zapp(self).go(Place.NEW_ROTA, self.record.org_id if self.record else "")

    def _step(self, delta: int) -> None:
        plans = self._plans()  # newest first
        ids = [p.id for p in plans]
        if self.plan_id not in ids:
            return
        k = ids.index(self.plan_id) + delta
        if 0 <= k < len(ids):
            self.plan_id = ids[k]
            self.reload()
        else:
            self.notify("没有更多的计划了", markup=False)

    def action_older(self) -> None:
        self._step(+1)

    def action_newer(self) -> None:
        self._step(-1)


def default_export_dir(app: ZhibuAppBase) -> Path:
    """The one export folder (services.export_folder), absolute."""
    from services.export_folder import default_export_dir as folder

    return folder()
