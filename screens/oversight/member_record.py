"""党员档案 for one member: participation over a period with every meeting
they were expected at, and the year's 党费 with arrears alerts.

Reach it by keyboard from the participation list (Enter), from the dues
grid (m), from the home screen's arrears lines, or anywhere with
``open_member_lookup(app)`` (pinyin search, then this screen).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import ContentSwitcher, DataTable, Header, Static

from domain.dates import format_date
from domain.dues import NO_BASE, DuesRecord, MemberArrears, base_missing, format_yuan
from domain.navigation import Place
from domain.people import Person
from domain.periods import Period, month_start, quarter_of
from screens.oversight.format import band_text, dues_status_text, step_period
from services import dues as dues_service
from services import org_lookup
from services import participation as pt_service
from services.roster import get_person
from widgets.app_handle import zapp
from widgets.footer import KeyFooter
from widgets.safe import content, text
from widgets.tables import add_columns

TABS = (("1", "mr-meetings", "会议"), ("2", "mr-dues", "党费"))
STATE_STYLE = {"出席": "", "请假": "yellow", "缺席": "bold red"}


class MemberRecordScreen(Screen[None]):
    BINDINGS = [
        Binding("1", "tab('mr-meetings')", "会议"),
        Binding("2", "tab('mr-dues')", "党费"),
        Binding("left_square_bracket", "step(-1)", "上一期", key_display="["),
        Binding("right_square_bracket", "step(1)", "下一期", key_display="]"),
        Binding("d", "dues", "党费录入"),
        Binding("escape", "back", "返回"),
    ]

    def __init__(self, person_id: str, *, period: Period | None = None) -> None:
        super().__init__()
        self.person_id = person_id
        self._period_arg = period
        if period is not None:
            self.period: Period = period  # else app.today's quarter, on mount
        self.person: Person | None = None
        self._loading = True

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="mr-head")
        yield Static(id="mr-part")
        yield Static(id="mr-dues-line")
        yield Static(id="mr-tabs")
        with ContentSwitcher(initial="mr-meetings", id="mr-switcher"):
            yield DataTable(id="mr-meetings", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="mr-dues", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        if self._period_arg is None:
            self.period = quarter_of(zapp(self).today)
        meetings = self.query_one("#mr-meetings", DataTable)
        add_columns(
            meetings,
            (
                ("日期", "date", 10),
                ("会议", "kind", 12),
                ("组织", "org", 16),
                ("情况", "state", 4),
                ("补学", "makeup", 6),
                ("原因", "reason", 12),
            ),
        )
        dues = self.query_one("#mr-dues", DataTable)
        add_columns(
            dues,
            (
                ("月份", "month", 7),
                ("基数", "base", 9),
                ("档次", "band", 16),
                ("应缴", "due", 7),
                ("实缴", "paid", 7),
                ("状态", "status", 4),
                ("缴纳日期", "paid_on", 10),
            ),
        )
        self.reload()
        meetings.focus()
        self._show_tabs()
        self.call_after_refresh(self._done_loading)

    def _done_loading(self) -> None:
        self._loading = False

    def on_screen_resume(self) -> None:
        if not self._loading:
            self.reload()

    # -- data ----------------------------------------------------------------
    def reload(self) -> None:
        store = zapp(self).store
        today: date = zapp(self).today
        self.person = person = get_person(store, self.person_id)
        if person is None:
            self.query_one("#mr-head", Static).update(content("找不到此人（可能已从花名册删除）。"))
            return
        self._show_head(person)
        lines, stats, config = pt_service.member_attendance(
            store, person, self.period, default=zapp(self).settings.rules.participation
        )
        pct = stats.rate_percent
        below = pct is not None and pct < config.threshold_percent
        part = Text()
        part.append(self.period.label, style="bold")
        part.append(
            f"  应到 {stats.expected} · 出席 {stats.present} · 请假 {stats.leave} · "
            f"缺席 {stats.absent} · 出席率 "
        )
        part.append(stats.rate_label, style="bold red" if below else "bold")
        part.append(f" · 补学 已{stats.make_ups_done}/应{stats.make_ups_owed}")
        if below:
            part.append(f"（低于{config.threshold_percent}%）", style="bold red")
        self.query_one("#mr-part", Static).update(part)
        self._fill_meetings(lines)
        year = self.period.end.year
        records, arrears = dues_service.member_year(store, person.id, year, today)
        self._show_dues_line(year, records, arrears)
        self._fill_dues(records)

    def _show_head(self, person: Person) -> None:
        store = zapp(self).store
        names = {
            u.id: u.name
            for u in (
                org_lookup.get_unit(store, i) for i in (person.branch_id, person.group_id) if i
            )
            if u is not None
        }
        bits = [person.status.value]
        bits += [names[i] for i in (person.branch_id, person.group_id) if i and i in names]
        if person.post:
            bits.append(person.post.value)
        head = Text()
        head.append(person.name, style="bold")
        head.append("  " + " · ".join(bits))
        self.query_one("#mr-head", Static).update(head)

    def _show_dues_line(self, year: int, records: list[DuesRecord], arrears: MemberArrears) -> None:
        out = Text()
        out.append(f"{year}年党费", style="bold")
        person = self.person
        unset = (
            person is not None
            and person.is_member
            and dues_service.lacks_base(zapp(self).store, person.id)
        )
        if unset:
            # No base anywhere this year: nothing is due or paid, say what is missing.
            out.append(f"  {NO_BASE}", style="bold yellow")
            out.append("（在党费录入中按 b 设置）")
        elif not records:
            out.append("  本年没有党费记录")
        else:
            last = records[-1]
            due = sum(r.due_fen for r in records if not r.waived)
            paid = sum(r.paid_fen for r in records)
            out.append(
                f"  基数 {format_yuan(last.base_fen)} 元（{band_text(last.band_label)}），"
                f"每月 {format_yuan(last.due_fen)} 元；本年应缴 {format_yuan(due)}，"
                f"已缴 {format_yuan(paid)}"
            )
        if arrears.alert is not None:
            out.append(f"\n⚠ {arrears.alert.message}", style="bold red")
        elif arrears.owed_fen:
            months = "、".join(f"{m.month}月" for m in arrears.unpaid_months[-6:])
            out.append(f"\n未缴：{months}，共 {format_yuan(arrears.owed_fen)} 元", style="yellow")
        self.query_one("#mr-dues-line", Static).update(out)

    def _fill_meetings(self, lines: list[pt_service.SignIn]) -> None:
        table = self.query_one("#mr-meetings", DataTable)
        keep = table.cursor_row
        table.clear()
        for s in lines:
            makeup = ""
            if s.make_up_owed:
                makeup = "已补学" if s.make_up_done else "未补学"
            table.add_row(
                text(format_date(s.meeting_date)),
                text(s.kind),
                text(s.org_name),
                Text(s.state, style=STATE_STYLE.get(s.state, "dim")),
                Text(makeup, style="" if s.make_up_done else "yellow"),
                text(s.reason),
                key=s.meeting_id,
            )
        table.move_cursor(row=min(keep, max(table.row_count - 1, 0)))

    def _fill_dues(self, records: list[DuesRecord]) -> None:
        table = self.query_one("#mr-dues", DataTable)
        keep = table.cursor_row
        table.clear()
        for r in records:
            if base_missing(r):
                table.add_row(
                    text(f"{r.month.year}-{r.month.month:02d}"),
                    Text(NO_BASE, style="bold yellow"),
                    *(Text("—", style="dim") for _ in range(4)),
                    text(format_date(r.paid_on)),
                    key=r.month.isoformat(),
                )
                continue
            table.add_row(
                text(f"{r.month.year}-{r.month.month:02d}"),
                Text(format_yuan(r.base_fen), justify="right"),
                text(band_text(r.band_label)),
                Text(format_yuan(r.due_fen), justify="right"),
                Text(format_yuan(r.paid_fen), justify="right"),
                dues_status_text(r),
                text(format_date(r.paid_on)),
                key=r.month.isoformat(),
            )
        table.move_cursor(row=min(keep, max(table.row_count - 1, 0)))

    # -- actions ---------------------------------------------------------------
    def _show_tabs(self) -> None:
        current = self.query_one(ContentSwitcher).current
        out = Text()
        for key, tab_id, label in TABS:
            out.append(f" {key} {label} ", style="reverse bold" if tab_id == current else "dim")
            out.append(" ")
        out.append(" Enter 打开", style="dim")
        self.query_one("#mr-tabs", Static).update(out)

    def action_tab(self, tab_id: str) -> None:
        self.query_one(ContentSwitcher).current = tab_id
        self.query_one(f"#{tab_id}", DataTable).focus()
        self._show_tabs()

    def action_step(self, n: int) -> None:
        self.period = step_period(self.period, int(n))
        self.reload()

    def action_dues(self, month: date | None = None) -> None:
        if self.person is None or not self.person.branch_id:
            self.notify("此人没有所属支部", markup=False)
            return
        zapp(self).go(Place.DUES, self.person.branch_id, month=month, focus_person=self.person.id)

    @on(DataTable.RowSelected, "#mr-meetings")
    def _open_meeting(self, event: DataTable.RowSelected) -> None:
        zapp(self).go(Place.MEETING, str(event.row_key.value))

    @on(DataTable.RowSelected, "#mr-dues")
    def _open_month(self, event: DataTable.RowSelected) -> None:
        self.action_dues(month_start(date.fromisoformat(str(event.row_key.value))))

    def action_back(self) -> None:
        self.app.pop_screen()


def open_member_lookup(app: App[Any]) -> None:
    """Pinyin search over party members, then their record."""
    from widgets.person_picker import PickPersonScreen

    def picked(result: object) -> None:
        if isinstance(result, Person):
            app.push_screen(MemberRecordScreen(result.id))

    app.push_screen(PickPersonScreen("查党员档案", members_only=True), picked)
