"""党员考核: one branch, one quarter (or the year), every member's score.

Quarter: the computed score broken down (组织生活, 党费, 其他活动, 承诺, 扣分),
the manual adjustment beside it, the final score and 星级; the highlighted
member's breakdown and adjustment reasons show below the table. Year: each
quarter's final score and the mean, highest first (the input to 民主评议党员).

a adjusts the highlighted member's quarter score (reason required); [ and ]
step the period; y switches quarter/year; b opens the branch ranking; z the
责任区/先锋岗 list; x exports the 党员考核表; Escape returns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Label, Select, Static
from textual.widgets.data_table import RowDoesNotExist

from domain.assessment import STAR_NAMES, QuarterScore
from domain.navigation import Place
from domain.periods import (
    Period,
    PeriodKind,
    PeriodParseError,
    add_months,
    parse_period,
    quarter_of,
)
from services import assessment as svc
from services import org_lookup
from widgets.app_handle import COPY_PATH_HINT, BackgroundFailed, zapp
from widgets.branch_select import branch_select, chosen_branch, opening_branch
from widgets.footer import KeyFooter
from widgets.limited_input import LimitedInput
from widgets.safe import content, text
from widgets.tables import add_columns
from widgets.work_result import post_result

QUARTER_COLUMNS = (
    ("姓名", "name", 8),
    ("组织生活", "attendance", 8),
    ("党费", "dues", 4),
    ("活动", "activities", 4),
    ("承诺", "pledge", 4),
    ("扣分", "deductions", 4),
    ("计算", "computed", 4),
    ("调整", "adjustment", 4),
    ("得分", "final", 4),
    ("星级", "star", 4),
)
YEAR_COLUMNS = (
    ("姓名", "name", 8),
    ("一季度", "q1", 6),
    ("二季度", "q2", 6),
    ("三季度", "q3", 6),
    ("四季度", "q4", 6),
    ("年度", "mean", 6),
    ("星级", "star", 4),
)


def step(period: Period, n: int) -> Period:
    if period.kind is PeriodKind.YEAR:
        return Period.year(period.start.year + n)
    return quarter_of(add_months(period.start, 3 * n))


def num(n: int | str, style: str = "") -> Text:
    return Text(str(n), justify="right", style=style)


def signed(n: int) -> Text:
    if not n:
        return num(0)
    return num(f"+{n}" if n > 0 else str(n), "bold" if n else "")


def breakdown(score: QuarterScore) -> str:
    """One line per item: 基础分 60 · 参加组织生活 +8（出席 4 次 × 2…）…"""
    parts = []
    for line in score.lines:
        pts = f"+{line.points}" if line.points > 0 and line.item != "基础分" else str(line.points)
        if line.item == "扣分封顶":
            pts = f"退回 {line.points}"
        parts.append(f"{line.item} {pts}" + (f"（{line.detail}）" if line.detail else ""))
    return " · ".join(parts)


class AssessmentScreen(Screen[None]):
    BINDINGS = [
        Binding("a", "adjust", "调整"),
        Binding("left_square_bracket", "step(-1)", "上期", key_display="["),
        Binding("right_square_bracket", "step(1)", "下期", key_display="]"),
        Binding("y", "toggle_year", "全年"),
        Binding("b", "ranking", "排名"),
        Binding("z", "pledges", "责任区"),
        Binding("x", "export", "导出"),
        Binding("p", "focus_period", "期间", show=False),
        Binding("escape", "back", "返回"),
    ]
    DEFAULT_CSS = """
    AssessmentScreen #as-filters { height: 1; }
    AssessmentScreen #as-filters Label { width: auto; margin: 0 1; }
    AssessmentScreen #as-branch { width: 30; }
    AssessmentScreen #as-period { width: 12; }
    AssessmentScreen #as-table { height: 1fr; }
    AssessmentScreen #as-detail { height: auto; max-height: 6; }
    """

    def __init__(self, branch_id: str | None = None, period: Period | None = None) -> None:
        super().__init__()
        self._branch_arg = branch_id
        self._period_arg = period
        self.period: Period = period or Period.year(2000)  # set on mount from app.today
        self.quarter_data: svc.BranchQuarter | None = None
        self.year_data: svc.BranchYear | None = None
        self._loading = True

    def compose(self) -> ComposeResult:
        self._branches = org_lookup.branches(zapp(self).store)
        yield Header()
        with Horizontal(id="as-filters"):
            yield Label("支部")
            yield branch_select(self._branches, "as-branch")
            yield Label("期间")
            yield LimitedInput(id="as-period", compact=True, max_length=30, placeholder="2026Q4")
        yield Static(id="as-summary")
        yield DataTable(id="as-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="as-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "党员考核"
        if self._period_arg is None:
            self.period = quarter_of(zapp(self).today)
        branch = opening_branch(zapp(self).store, self._branches, self._branch_arg)
        with self.prevent(Select.Changed, Input.Changed):
            if branch:
                self.query_one("#as-branch", Select).value = branch
            self.query_one("#as-period", Input).value = self.period.label
        self.reload()
        self.query_one("#as-table", DataTable).focus()
        self.call_after_refresh(self._done_loading)

    def _done_loading(self) -> None:
        self._loading = False

    def on_screen_resume(self) -> None:
        if not self._loading:
            self.reload()

    # -- data ----------------------------------------------------------------
    @property
    def branch_id(self) -> str | None:
        return chosen_branch(self.query_one("#as-branch", Select))

    @property
    def yearly(self) -> bool:
        return self.period.kind is PeriodKind.YEAR

    def reload(self) -> None:
        table = self.query_one("#as-table", DataTable)
        keep = self.current_person_id()
        table.clear(columns=True)
        add_columns(table, YEAR_COLUMNS if self.yearly else QUARTER_COLUMNS)
        self.quarter_data = self.year_data = None
        branch = self.branch_id
        if branch is None:
            self._summary(content("还没有支部。先在花名册中建立组织。"))
            return
        store, today = zapp(self).store, zapp(self).today
        if self.yearly:
            self.year_data = year = svc.branch_year(store, branch, self.period.start.year, today)
            for p, s in year.rows:
                by_q = {q.quarter: q.final for q in s.quarters}
                table.add_row(
                    text(p.name),
                    *(num(by_q.get(f"{s.year}Q{i}", "—")) for i in range(1, 5)),
                    num(s.mean_label, "bold"),
                    text(s.star_label),
                    key=p.id,
                )
            self._summary(self._year_summary(year))
        else:
            self.quarter_data = data = svc.branch_quarter(store, branch, self.period, today)
            for r in data.rows:
                sc = r.score
                table.add_row(
                    text(r.person.name),
                    num(sc.attendance),
                    num(sc.dues),
                    num(sc.activities),
                    num(sc.pledge),
                    num(-sc.deductions if sc.deductions else 0),
                    num(sc.computed),
                    signed(sc.adjustment),
                    num(sc.final, "bold"),
                    text(sc.star_label),
                    key=r.person.id,
                )
            self._summary(self._quarter_summary(data))
        if keep:
            self.select_person(keep)
        self._show_detail()

    def _summary(self, value: Any) -> None:
        self.query_one("#as-summary", Static).update(value)

    def _quarter_summary(self, data: svc.BranchQuarter) -> Text:
        finals = [r.score.final for r in data.rows]
        t = Text()
        t.append(self.period.label, style="bold")
        if not finals:
            t.append("  本支部没有党员")
            return t
        mean = sum(finals) / len(finals)
        stars = {n: sum(1 for r in data.rows if r.score.star == n) for n in STAR_NAMES}
        t.append(f"  党员 {len(finals)} 人 · 平均 {mean:.1f} 分 · ")
        t.append(" ".join(f"{STAR_NAMES[n]}{stars[n]}" for n in (5, 4, 3, 2, 1)))
        return t

    def _year_summary(self, year: svc.BranchYear) -> Text:
        t = Text()
        t.append(f"{year.year}年", style="bold")
        done = "、".join(q[-2:] for q in year.quarters) or "尚无"
        t.append(f"  各季度平均（已考核：{done}）· 按年度得分排序，供民主评议党员参考")
        return t

    def current_person_id(self) -> str | None:
        table = self.query_one("#as-table", DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def select_person(self, person_id: str) -> bool:
        table = self.query_one("#as-table", DataTable)
        try:
            row = table.get_row_index(person_id)
        except RowDoesNotExist:
            return False
        table.move_cursor(row=row)
        return True

    def current_row(self) -> svc.MemberQuarter | None:
        pid = self.current_person_id()
        if self.quarter_data is None or pid is None:
            return None
        return next((r for r in self.quarter_data.rows if r.person.id == pid), None)

    def _show_detail(self) -> None:
        detail = self.query_one("#as-detail", Static)
        if self.yearly:
            detail.update(content("年度得分为已考核各季度最终得分的平均；按 y 回到季度查看明细。"))
            return
        row = self.current_row()
        if row is None:
            detail.update("")
            return
        t = Text()
        t.append(f"{row.person.name}：计算 {row.score.computed} 分", style="bold")
        if row.adjustments:
            t.append(f"，调整 {row.score.adjustment:+d}，最终 {row.score.final} 分", style="bold")
        t.append("\n")
        t.append(breakdown(row.score))
        for a in row.adjustments:
            t.append(f"\n调整 {a.points:+d}：{a.reason}（{a.updated_by}）")
        detail.update(t)

    # -- events --------------------------------------------------------------
    @on(DataTable.RowHighlighted, "#as-table")
    def _highlighted(self) -> None:
        self._show_detail()

    @on(Select.Changed, "#as-branch")
    def _branch_changed(self) -> None:
        if not self._loading:
            self.reload()

    @on(Input.Submitted, "#as-period")
    def _period_submitted(self, event: Input.Submitted) -> None:
        try:
            period = parse_period(event.value)
        except PeriodParseError as e:
            self._summary(Text(str(e), style="bold red"))
            return
        if period.kind not in (PeriodKind.QUARTER, PeriodKind.YEAR):
            self._summary(Text("请写季度或年度，如 2026Q4 或 2026", style="bold red"))
            return
        if period.start > zapp(self).today:
            self._summary(Text(f"{period.label} 尚未开始，没有考核得分", style="bold red"))
            return
        self.period = period
        with self.prevent(Input.Changed):
            event.input.value = period.label
        self.reload()
        self.query_one("#as-table", DataTable).focus()

    # -- actions -------------------------------------------------------------
    def _set_period(self, period: Period) -> None:
        self.period = period
        with self.prevent(Input.Changed):
            self.query_one("#as-period", Input).value = period.label
        self.reload()

    def action_step(self, n: int) -> None:
        target = step(self.period, int(n))
        if target.start > zapp(self).today:
            # Nothing is scored yet: a period ahead would list every member at the base score.
            self.notify(f"{target.label} 尚未开始", markup=False)
            return
        self._set_period(target)

    def action_toggle_year(self) -> None:
        if self.yearly:
            today = zapp(self).today
            year = self.period.start.year
            self._set_period(quarter_of(today) if today.year == year else Period.quarter(year, 4))
        else:
            self._set_period(Period.year(self.period.start.year))

    def action_focus_period(self) -> None:
        self.query_one("#as-period", Input).focus()

    def action_adjust(self) -> None:
        from screens.assessment.dialogs import AdjustDialog

        if self.yearly:
            self.notify("人工调整按季度记录：按 y 回到季度后再调整。", markup=False)
            return
        row = self.current_row()
        branch = self.branch_id
        if row is None or branch is None:
            return
        store, period, today = zapp(self).store, self.period, zapp(self).today
        person = row.person

        def save(points: str, reason: str) -> object:
            return svc.add_adjustment(store, branch, person.id, period, points, reason,
                                      today=today)  # fmt: skip

        def done(result: object) -> None:
            if result is not None:
                self.notify(f"已调整 {person.name} 的 {period.label} 得分", markup=False)
                self.reload()

        title = f"调整 {person.name} {period.label} 得分（计算 {row.score.computed} 分）"
        self.app.push_screen(AdjustDialog(title, save), done)

    def action_ranking(self) -> None:
        branch = next((b for b in self._branches if b.id == self.branch_id), None)
        general = branch.parent_id if branch and branch.parent_id else ""
        zapp(self).go(Place.ASSESSMENT_RANKING, general, period=self.period)

    def action_pledges(self) -> None:
        period = self.period if not self.yearly else quarter_of(zapp(self).today)
        zapp(self).go(Place.PLEDGES, self.branch_id or "", period=period)

    def action_export(self) -> None:
        from screens.dialogs import LinePrompt
        from services.export_folder import default_export_dir

        branch = self.branch_id
        if branch is None:
            return
        period = self.period
        if period.start > zapp(self).today:
            self.notify(f"{period.label} 尚未开始，没有可导出的考核得分", markup=False)
            return

        def done(folder: str | None) -> None:
            if folder:
                self._summary(Text(f"正在导出 {period.label} 党员考核表…"))
                self._export(Path(folder), period, branch)

        self.app.push_screen(
            LinePrompt(f"导出 {period.label} 党员考核表到文件夹", value=str(default_export_dir())),
            done,
        )

    class SheetsWritten(Message):
        def __init__(self, files: list[Path]) -> None:
            super().__init__()
            self.files = files

    @work(thread=True, exclusive=True, group="assessment-export")
    def _export(self, folder: Path, period: Period, branch_id: str) -> None:
        from services.export_assessment import export_branch

        files = export_branch(zapp(self).store, branch_id, period, zapp(self).today, folder)
        post_result(self, self.SheetsWritten(files))

    @on(SheetsWritten)
    def _written(self, event: SheetsWritten) -> None:
        files = event.files
        if files:
            zapp(self).exported(str(files[0].parent))
        msg = "；".join(f"已导出 {f}" for f in files) + (f"（{COPY_PATH_HINT}）" if files else "")
        self._summary(content(msg))
        self.notify(msg, markup=False, timeout=8)

    @on(BackgroundFailed)
    def _failed(self, event: BackgroundFailed) -> None:
        if event.worker.group == "assessment-export":
            self._summary(Text(event.text, style="bold red"))

    def action_back(self) -> None:
        self.app.pop_screen()
