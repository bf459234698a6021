"""组织生活参加情况: one branch, one period, every party member's 出席/应到
with 请假 and 缺席 apart and 补学 done; members under the threshold listed.

Enter opens the member's record (their meetings and dues); / finds a member
by pinyin; [ and ] step the period; t sets the threshold; d opens the dues
grid; x exports the branch's quarterly report (.docx, or its tables as .xlsx).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.visual import VisualType
from textual.widgets import DataTable, Header, Input, Label, Select, Static
from textual.widgets.data_table import RowDoesNotExist

from domain.navigation import Place
from domain.people import Person, PoliticalStatus
from domain.periods import (
    Period,
    PeriodKind,
    PeriodParseError,
    parse_period,
    quarter_of,
)
from screens.oversight.format import num, period_text, rate_text, step_period
from services import org_lookup
from services import participation as pt_service
from services.participation import BranchParticipation
from widgets.app_handle import COPY_PATH_HINT, BackgroundFailed, zapp
from widgets.background_save import run_save
from widgets.branch_select import branch_select, chosen_branch, opening_branch
from widgets.footer import KeyFooter
from widgets.job_progress import JobProgress
from widgets.limited_input import LimitedInput
from widgets.safe import content, text
from widgets.tables import add_columns
from widgets.work_result import post_result

if TYPE_CHECKING:
    from services.export_report import ReportFile


class ParticipationScreen(Screen[None]):
    BINDINGS = [
        Binding("slash", "find", "查找党员", key_display="/"),
        Binding("left_square_bracket", "step(-1)", "上一期", key_display="["),
        Binding("right_square_bracket", "step(1)", "下一期", key_display="]"),
        Binding("t", "threshold", "阈值"),
        Binding("d", "dues", "党费录入"),
        Binding("x", "export", "季度报告"),
        Binding("p", "focus_period", "期间", show=False),
        Binding("escape", "back", "返回"),
    ]

    def __init__(self, branch_id: str | None = None, period: Period | None = None) -> None:
        super().__init__()
        self._branch_arg = branch_id
        self._period_arg = period
        if period is not None:
            self.period: Period = period  # else app.today's quarter, on mount
        self.data: BranchParticipation | None = None
        self._loading = True

    def compose(self) -> ComposeResult:
        self._branches = org_lookup.branches(zapp(self).store)
        yield Header()
        with Horizontal(id="pt-filters"):
            yield Label("支部")
            yield branch_select(self._branches, "pt-branch")
            yield Label("期间")
            yield LimitedInput(id="pt-period", compact=True, max_length=30, placeholder="2026Q4")
        yield Static(id="pt-summary")
        yield JobProgress(id="pt-progress")
        yield DataTable(id="pt-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="pt-below")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#pt-table", DataTable)
        add_columns(
            table,
            (
                ("姓名", "name", 8),
                ("身份", "status", 4),
                ("应到", "expected", 4),
                ("出席", "present", 4),
                ("请假", "leave", 4),
                ("缺席", "absent", 4),
                ("出席率", "rate", 6),
                ("补学", "makeup", 7),
                ("提示", "note", 9),
            ),
        )
        if self._period_arg is None:
            self.period = quarter_of(zapp(self).today)
        branch = opening_branch(zapp(self).store, self._branches, self._branch_arg)
        with self.prevent(Select.Changed, Input.Changed):
            if branch:
                self.query_one("#pt-branch", Select).value = branch
            self.query_one("#pt-period", Input).value = period_text(self.period)
        self.reload()
        table.focus()
        self.call_after_refresh(self._done_loading)

    def _done_loading(self) -> None:
        self._loading = False

    def on_screen_resume(self) -> None:
        if not self._loading:
            self.reload()

    # -- data ----------------------------------------------------------------
    @property
    def branch_id(self) -> str | None:
        return chosen_branch(self.query_one("#pt-branch", Select))

    def reload(self) -> None:
        branch = self.branch_id
        table = self.query_one("#pt-table", DataTable)
        keep = self._current_person_id()
        table.clear()
        if branch is None:
            self.data = None
            self._summary(content("还没有支部。先在花名册中建立组织。"))
            return
        store = zapp(self).store
        self.data = data = pt_service.branch_participation(
            store, branch, self.period, default=zapp(self).settings.rules.participation
        )
        for r in data.rows:
            s = r.stats
            note = (
                Text(f"低于{data.config.threshold_percent}%", style="bold red")
                if r.below
                else Text("")
            )
            if not r.below and s.make_ups_pending:
                note = Text(f"待补学{s.make_ups_pending}", style="yellow")
            table.add_row(
                text(r.person.name),
                text("预备" if r.person.status is PoliticalStatus.PROBATIONARY else "正式"),
                num(s.expected),
                num(s.present),
                num(s.leave),
                num(s.absent),
                rate_text(s.rate_label, r.below),
                Text(f"{s.make_ups_done}/{s.make_ups_owed}", justify="right"),
                note,
                key=r.person.id,
            )
        self._summary(self._summary_text(data))
        self._show_below(data)
        if keep:
            self.select_person(keep, focus=False)

    def _summary(self, value: VisualType) -> None:
        self.query_one("#pt-summary", Static).update(value)

    def _summary_text(self, data: BranchParticipation) -> Text:
        t = Text()
        t.append(self.period.label, style="bold")
        t.append(
            f"  党员 {len(data.rows)} 人 · 应到 {data.total('expected')} 人次 · "
            f"出席 {data.total('present')} · 请假 {data.total('leave')} · "
            f"缺席 {data.total('absent')} · 出席率 {data.rate_label} · "
            f"补学 已{data.total('make_ups_done')}/应{data.total('make_ups_owed')}"
        )
        return t

    def _show_below(self, data: BranchParticipation) -> None:
        low = data.below
        limit = data.config.threshold_percent
        if not low:
            msg = f"没有出席率低于 {limit}% 的党员。"
            self.query_one("#pt-below", Static).update(content(msg))
            return
        names = "、".join(f"{r.person.name} {r.stats.rate_label}" for r in low[:8])
        more = f" 等 {len(low)} 人" if len(low) > 8 else ""
        out = Text(f"出席率低于 {limit}%：", style="bold red")
        out.append(Text(names + more))
        self.query_one("#pt-below", Static).update(out)

    def _current_person_id(self) -> str | None:
        table = self.query_one("#pt-table", DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def select_person(self, person_id: str, *, focus: bool = True) -> bool:
        table = self.query_one("#pt-table", DataTable)
        try:
            row = table.get_row_index(person_id)
        except RowDoesNotExist:  # not in this branch
            return False
        table.move_cursor(row=row)
        if focus:
            table.focus()
        return True

    # -- events --------------------------------------------------------------
    @on(Select.Changed, "#pt-branch")
    def _branch_changed(self) -> None:
        if not self._loading:
            self.reload()

    @on(Input.Submitted, "#pt-period")
    def _period_submitted(self, event: Input.Submitted) -> None:
        try:
            self.period = parse_period(event.value)
        except PeriodParseError as e:
            self._summary(Text(str(e), style="bold red"))
            return
        with self.prevent(Input.Changed):
            event.input.value = period_text(self.period)
        self.reload()
        self.query_one("#pt-table", DataTable).focus()

    @on(DataTable.RowSelected, "#pt-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        zapp(self).go(Place.MEMBER_RECORD, str(event.row_key.value), period=self.period)

    # -- actions -------------------------------------------------------------
    def action_step(self, n: int) -> None:
        self.period = step_period(self.period, int(n))
        with self.prevent(Input.Changed):
            self.query_one("#pt-period", Input).value = period_text(self.period)
        self.reload()

    def action_focus_period(self) -> None:
        self.query_one("#pt-period", Input).focus()

    def action_find(self) -> None:
        from widgets.person_picker import PickPersonScreen

        def picked(result: object) -> None:
            if not isinstance(result, Person):
                return
            if not self.select_person(result.id):
                self.notify(f"{result.name} 不在本支部党员名单中", markup=False)

        self.app.push_screen(
            PickPersonScreen("查找党员", branch_id=self.branch_id, members_only=True), picked
        )

    def action_threshold(self) -> None:
        from screens.dialogs import LinePrompt

        store = zapp(self).store
        current = pt_service.threshold_config(store, zapp(self).settings.rules.participation)

        def done(value: str | None) -> None:
            if value is None:
                return
            try:
                n = int(value.strip().rstrip("%％"))
                if not 0 <= n <= 100:
                    raise ValueError
            except ValueError:
                self.notify("阈值应为 0–100 的整数，如 80", severity="error", markup=False)
                return

            def saved(_result: object) -> None:
                self.notify(f"出席率提示阈值已设为 {n}%", markup=False)
                self.reload()

            def refused(e: Exception) -> None:
                self.notify(str(e), severity="error", markup=False, timeout=8)

            # Off the UI thread while another writer holds the lock (R7).
            run_save(self, store, lambda: pt_service.save_threshold(store, current, n),
                     saved, refused)  # fmt: skip

        self.app.push_screen(
            LinePrompt(
                "出席率低于多少时提示（%）",
                value=str(current.threshold_percent),
                max_length=4,
            ),
            done,
        )

    def action_dues(self) -> None:
        if self.branch_id:
            zapp(self).go(Place.DUES, self.branch_id, focus_person=self._current_person_id())

    def action_export(self) -> None:
        from screens.export_prompt import Answer, ExportPrompt
        from services.export_folder import default_export_dir

        branch = self.branch_id
        if branch is None:
            return
        quarter = (
            self.period if self.period.kind is PeriodKind.QUARTER else quarter_of(self.period.start)
        )

        def done(answer: Answer | None) -> None:
            if answer:
                folder, formats = answer
                self._summary(Text(f"正在导出 {quarter.label} 季度报告…"))
                self._export(Path(folder), quarter, branch, formats)

        self.app.push_screen(
            ExportPrompt(
                f"导出 {quarter.label} 季度报告到文件夹", folder=str(default_export_dir())
            ),
            done,
        )

    class ReportsWritten(Message):
        def __init__(self, files: list[ReportFile]) -> None:
            super().__init__()
            self.files = files

    @work(thread=True, exclusive=True, group="report")
    def _export(
        self, folder: Path, quarter: Period, branch_id: str, formats: tuple[str, ...] = ("docx",)
    ) -> None:
        from services.export_report import export_reports

        bar = self.query_one(JobProgress)
        files = export_reports(
            zapp(self).store,
            folder,
            period=quarter,
            today=zapp(self).today,
            org_ids=[branch_id],
            step=lambda p: self.app.call_from_thread(bar.step, "导出季度报告", p),
            formats=formats,
        )
        post_result(self, self.ReportsWritten(files))

    @on(ReportsWritten)
    def _reports_written(self, event: ReportsWritten) -> None:
        self.query_one(JobProgress).display = False
        files = event.files
        msg = "；".join(f"已导出 {f.path}" for f in files) or "没有可导出的支部"
        if files:
            zapp(self).exported(files[-1].path)
            msg += f"（{COPY_PATH_HINT}）"
        self._summary(content(msg))
        self.notify(msg, markup=False, timeout=8)

    @on(BackgroundFailed)
    def _failed(self, event: BackgroundFailed) -> None:
        # The app has notified; the summary must not keep saying "正在导出".
        if event.worker.group == "report":
            self.query_one(JobProgress).display = False
            self._summary(Text(event.text, style="bold red"))

    def action_back(self) -> None:
        self.app.pop_screen()
