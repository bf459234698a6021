"""党课计划: the lectures of one confirmed rota plan with their review state,
overdue marks, and the keys to review, hold, export or plan anew."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from domain.courseware import Lecture, ReviewState, overdue_steps
from domain.dates import format_date_cn
from screens.rota_wizard import short_date
from storage import rota
from widgets.safe import content, plain, text
from widgets.tables import add_columns

GIVEN_LABEL = "已讲授"
READY_STATES = (ReviewState.APPROVED, ReviewState.FILED)


def state_label(lec: Lecture) -> str:
    return GIVEN_LABEL if lec.given else lec.state.value


def past_unreviewed(lec: Lecture, today: date) -> bool:
    """The lecture day has passed without approved courseware (and no record)."""
    return not lec.given and lec.lecture_date < today and lec.state not in READY_STATES


def lecture_hint(lec: Lecture, today: date) -> tuple[str, str]:
    """(short note, style) for the plan table's last column."""
    if lec.given:
        return (lec.attendance or "已关联会议记录"), "green"
    if past_unreviewed(lec, today):
        return "过期未审核", "bold red"
    late = overdue_steps(lec, today)
    if late:
        return f"逾期{late[0].days_overdue}天", "bold red"
    if lec.themed:
        return "专题党课", ""
    return "", ""


def lateness(lec: Lecture, today: date) -> list[str]:
    """What is late about a lecture, for the detail lines."""
    if lec.given:
        return []
    if past_unreviewed(lec, today):
        return ["授课日已过，课件未审核通过"]
    return [
        f"{step.step}逾期 {step.days_overdue} 天（应于 {step.due.isoformat()}）"
        for step in overdue_steps(lec, today)
    ]


def lecture_detail(lec: Lecture, today: date) -> str:
    """Two lines about one lecture, under the table."""
    who = f"{lec.lecturer_name}（{lec.branch_name}）" if lec.branch_name else lec.lecturer_name
    first = f"{format_date_cn(lec.lecture_date)}  {who}  {lec.topic or '（题目待定）'}"
    parts = [f"状态：{state_label(lec)}"]
    if lec.given:
        parts.append(f"授课 {lec.given_on.isoformat() if lec.given_on else ''} {lec.attendance}")
    parts += lateness(lec, today)
    if lec.locked is not None:
        parts.append(f"已锁定课件 {lec.locked.file_name} sha256 {lec.locked.sha256[:12]}…")
    return first + "\n" + "；".join(parts)


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
        self.record: rota.RotaPlanRecord | None = None
        self.lectures: list[Lecture] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="plan-head")
        yield Static(id="plan-warn")
        yield DataTable(id="plan-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="plan-detail")
        yield Footer()

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
    def _plans(self) -> list[rota.RotaPlanRecord]:
        return rota.list_plans(self.app.store)  # type: ignore[attr-defined]

    def reload(self) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        today = self.app.today  # type: ignore[attr-defined]
        if self.plan_id is None:
            plans = self._plans()
            current = [p for p in plans if p.period.year == today.year]
            chosen = (current or plans or [None])[0]
            self.plan_id = chosen.id if chosen else None
        self.record = rota.get_plan(store, self.plan_id) if self.plan_id else None
        self.lectures = rota.lectures_of_plan(store, self.plan_id) if self.record else []
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
        today = self.app.today  # type: ignore[attr-defined]
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
        detail.update(content(lecture_detail(lec, self.app.today), multiline=True))  # type: ignore[attr-defined]

    # -- actions -----------------------------------------------------------
    @on(DataTable.RowSelected, "#plan-table")
    def _row_selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        lec = self._current()
        if lec is None:
            return
        from screens.lecture_review import LectureReviewScreen

        self.app.push_screen(LectureReviewScreen(lec.id))

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
        # The meeting workflow owns this action (it pre-fills a 党课 meeting and
        # later calls storage.rota.mark_given); run_action says if it exists.
        handled = await self.app.run_action(f"app.start_lecture_meeting('{lec.id}')")
        if not handled:
            self.notify("按程序开会功能尚未接入，暂不能从这里开始党课", markup=False)

    def action_export(self) -> None:
        if self.record is None:
            self.notify("还没有可导出的计划", markup=False)
            return
        from screens.rota_export import ExportPlanScreen

        self.app.push_screen(
            ExportPlanScreen(self.record.id, self.record.title, default_export_dir(self.app))
        )

    def action_new_plan(self) -> None:
        from screens.rota_wizard import RotaWizardScreen

        self.app.push_screen(RotaWizardScreen(self.record.org_id if self.record else None))

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


def default_export_dir(app: object) -> Path:
    """The app's export folder if it has one, else 'exports' beside the database."""
    configured = getattr(app, "export_dir", None)
    if configured:
        return Path(configured)
    return Path(app.db_path).parent / "exports"  # type: ignore[attr-defined]
