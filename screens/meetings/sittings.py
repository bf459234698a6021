"""8 分场: an activity held in several sittings (白班场 / 夜班场 / 上站), each
with its own time, place, leader and attendance; the coverage and who is still
missing show while the meeting runs (docs/SITTINGS.md)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Static

from domain.dates import DateParseError, format_time, parse_date, parse_optional_time
from domain.meetings import Meeting
from domain.sittings import (
    Coverage,
    Sitting,
    SittingKind,
    check_can_split,
    meeting_coverage,
    remove_sitting,
    replace_sitting,
    set_sittings,
    sitting_problems,
    split_refusal,
    toggle_present,
)
from screens.meetings.panes import Pane
from services import sittings as sitting_service
from services.errors import DomainError
from widgets.app_handle import zapp
from widgets.limited_input import LimitedInput
from widgets.row_action_table import RowActionTable
from widgets.safe import content, text
from widgets.tables import add_columns

HINT = "p 按班次生成  n 新增一场  Enter 签到/修改  d 删除"


def names_of(meeting: Meeting) -> dict[str, str]:
    return {e.person_id: e.name for e in meeting.attendance if e.person_id}


def coverage_text(meeting: Meeting, cov: Coverage | None = None) -> Text:
    """「全覆盖 12/14 人；未参加：张三、李四」 with the sittings each attended."""
    cov = cov or meeting_coverage(meeting)
    names = names_of(meeting)
    head = (
        ("✓ 已全覆盖", "bold green")
        if cov.full
        else (f"✗ 尚有 {len(cov.missing)} 人未参加", "bold red")
    )
    out = Text.assemble(
        f"共 {len(meeting.sittings)} 场，应参加 {len(cov.expected)} 人，已参加 {cov.covered} 人  ",
        head,
    )
    if cov.missing:
        out.append("\n未参加：" + "、".join(names.get(p, "?") for p in cov.missing), style="yellow")
    if cov.repeated:
        twice = "、".join(names.get(p, "?") for p in cov.repeated)
        out.append(f"\n参加两场以上（只计一次）：{twice}", style="dim")
    return out


def missing_brief(meeting: Meeting) -> str:
    """For the status line, short enough for 80 columns: 「2场 未到3人」 / 「2场 全覆盖」."""
    if not meeting.sittings:
        return ""
    cov = meeting_coverage(meeting)
    tail = "全覆盖" if cov.full else f"未到{len(cov.missing)}人"
    return f"{len(meeting.sittings)}场 {tail}"


def _span(s: Sitting) -> str:
    if s.start_time and s.end_time:
        return f"{format_time(s.start_time)}-{format_time(s.end_time)}"
    return format_time(s.start_time) if s.start_time else "—"


class SittingsTable(RowActionTable):
    BINDINGS = [
        Binding("p", "row('propose')", "按班次生成"),
        Binding("n", "row('add')", "新增一场"),
        Binding("d", "row('remove')", "删除", show=False),
        Binding("e", "row('edit')", "签到/修改", show=False),
    ]


class SittingsPane(Pane):
    def compose(self) -> ComposeResult:
        yield Static(id="s-summary", classes="pane-summary")
        yield SittingsTable(id="s-table", cursor_type="row", zebra_stripes=True)
        yield Static(content(HINT), id="s-hint", classes="pane-hint")

    def on_mount(self) -> None:
        add_columns(
            self.query_one(SittingsTable),
            (("场次", "label", 10), ("日期", "date", 5), ("时间", "time", 11),
             ("地点", "place", 8), ("带领人", "leader", 6), ("应到", "n", 4), ("实到", "k", 4)),
        )  # fmt: skip

    def load(self) -> None:
        m = self.run.meeting
        t = self.query_one(SittingsTable)
        row = t.cursor_row
        t.clear()
        for s in m.sittings:
            t.add_row(
                text(s.label), text(f"{s.date:%m-%d}"), text(_span(s)), text(s.place or "—"),
                text(s.leader_name or "—"), text(str(len(s.member_ids))),
                text(str(len(s.present_ids))), key=s.id,
            )  # fmt: skip
        if t.row_count:
            t.move_cursor(row=min(row, t.row_count - 1))
        self.query_one("#s-summary", Static).update(self._summary(m))

    def _summary(self, m: Meeting) -> Text:
        reason = split_refusal(m.kind)
        if reason:
            return Text.assemble((f"{m.kind}不能分场。", "bold"), "\n", reason)
        if not m.sittings:
            return Text(
                "本次活动可以分场进行（白班场、夜班场、上站）：按 p 按支部班次生成各场及人员，"
                "或按 n 新增一场。各场合起来算一次活动，每人只计一次。"
            )
        out = coverage_text(m)
        if sitting_problems(m):
            todo = []
            for st in m.sittings:
                lacks = [name for name, ok in (("时间", st.start_time and st.end_time),
                                               ("地点", st.place), ("带领人", st.leader_name))
                         if not ok]  # fmt: skip
                if lacks:
                    todo.append(f"{st.label}（{'、'.join(lacks)}）")
            out.append("\n待填：" + "；".join(todo), style="dim")
        return out

    @on(RowActionTable.RowAction)
    def _row_action(self, event: RowActionTable.RowAction) -> None:
        event.stop()
        if event.name == "propose":
            self.propose()
        elif event.name == "add":
            self.add()
        elif event.name == "remove":
            self.delete(event.row)
        elif event.name == "edit":
            self.edit(event.row)

    @on(DataTable.RowSelected, "#s-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.edit(event.cursor_row)

    def _refused(self) -> bool:
        m = self.run.meeting
        if m.finished:
            self.app.notify("已完成的会议只读；按 c 生成更正版本", markup=False)
            return True
        try:
            check_can_split(m)
        except ValueError as e:
            self.app.notify(str(e), severity="warning", markup=False, timeout=10)
            return True
        return False

    def propose(self) -> None:
        if self._refused():
            return
        try:
            proposed = sitting_service.propose_for_meeting(zapp(self).store, self.run.meeting)
        except DomainError as e:
            self.app.notify(str(e), severity="warning", markup=False, timeout=10)
            return
        sittings = proposed.sittings

        def apply() -> None:
            self.change(lambda m: set_sittings(m, sittings), refusable=True)
            labels = "、".join(f"{s.label} {len(s.member_ids)} 人" for s in sittings)
            self.app.notify(f"已按班次生成：{labels}", markup=False)

        if not self.run.meeting.sittings:
            apply()
            return
        from screens.meetings.dialogs import ConfirmDialog

        self.app.push_screen(
            ConfirmDialog("重新按班次生成？", "现有各场及其签到将被替换。"),
            lambda yes: apply() if yes else None,
        )

    def add(self) -> None:
        if self._refused():
            return
        m = self.run.meeting
        n = len(m.sittings) + 1
        blank = Sitting(label=f"第{n}场", kind=SittingKind.OTHER, date=m.date)
        self._open(blank)

    def edit(self, row: int) -> None:
        sittings = self.run.meeting.sittings
        if not 0 <= row < len(sittings):
            return
        if self._refused():
            return
        self._open(sittings[row])

    def _open(self, sitting: Sitting) -> None:
        def saved(result: Sitting | None) -> None:
            if result is not None:
                self.change(lambda m: replace_sitting(m, result), refusable=True)

        self.app.push_screen(SittingDialog(self.run.meeting, sitting), saved)

    def delete(self, row: int) -> None:
        sittings = self.run.meeting.sittings
        if not 0 <= row < len(sittings) or self._refused():
            return
        s = sittings[row]
        from screens.meetings.dialogs import ConfirmDialog

        self.app.push_screen(
            ConfirmDialog(
                f"删除{s.label}？", f"{s.label}的签到（{len(s.present_ids)} 人出席）一并删除。"
            ),
            lambda yes: self.change(lambda m: remove_sitting(m, s.id)) if yes else None,
        )


# -- one sitting ---------------------------------------------------------------------


class SittingPeople(RowActionTable):
    BINDINGS = [
        Binding("space", "row('toggle')", "出席/未到"),
        Binding("a", "row('add')", "添加人员"),
    ]


class SittingDialog(ModalScreen[Sitting | None]):
    """One sitting: name, date, time, place, leader, and who attended (Space)."""

    BINDINGS = [Binding("ctrl+s", "ok", "确定", priority=True), Binding("escape", "cancel", "取消")]

    def __init__(self, meeting: Meeting, sitting: Sitting) -> None:
        super().__init__(classes="dialog")
        self.meeting = meeting
        self.sitting = sitting
        self.names = names_of(meeting)
        self._initial: tuple[object, ...] = ()

    def compose(self) -> ComposeResult:
        s = self.sitting
        with Vertical(classes="dialog-box", id="sd-box"):
            yield Static(content(f"{s.label}（Ctrl+S 确定，Esc 取消）"), classes="dialog-title")
            with Horizontal(classes="row"):
                yield Label("场次")
                yield LimitedInput(s.label, id="sd-label", max_length=30, compact=True)
                yield Label("日期", classes="label2")
                yield LimitedInput(s.date.isoformat(), id="sd-date", max_length=10, compact=True)
            with Horizontal(classes="row"):
                yield Label("开始")
                yield LimitedInput(format_time(s.start_time) if s.start_time else "", id="sd-start",
                                   placeholder="08:30", max_length=5, compact=True)  # fmt: skip
                yield Label("结束", classes="label2")
                yield LimitedInput(format_time(s.end_time) if s.end_time else "", id="sd-end",
                                   placeholder="09:30", max_length=5, compact=True)  # fmt: skip
            with Horizontal(classes="row"):
                yield Label("地点")
                yield LimitedInput(s.place, id="sd-place", max_length=100, compact=True)
            with Horizontal(classes="row"):
                yield Label("带领人")
                yield LimitedInput(s.leader_name, id="sd-leader", max_length=40, compact=True)
            yield SittingPeople(id="sd-people", cursor_type="row", zebra_stripes=True)
            yield Static(id="sd-result", classes="dialog-result")

    def on_mount(self) -> None:
        add_columns(self.query_one(SittingPeople), (("出席", "mark", 4), ("姓名", "name", 10)))
        self._fill()
        self._initial = self._typed()
        self.query_one("#sd-start", Input).focus()

    def _typed(self) -> tuple[object, ...]:
        """What the secretary may have typed or ticked (to ask before dropping it)."""
        fields = tuple(i.value for i in self.query(Input))
        return fields, tuple(self.sitting.member_ids), tuple(self.sitting.present_ids)

    def _fill(self) -> None:
        t = self.query_one(SittingPeople)
        row = t.cursor_row
        t.clear()
        s = self.sitting
        for pid in s.member_ids:
            mark = "[√]" if pid in s.present_ids else "[ ]"
            t.add_row(text(mark), text(self.names.get(pid, "?")), key=pid)
        if t.row_count:
            t.move_cursor(row=min(row, t.row_count - 1))
        self.query_one("#sd-result", Static).update(
            content(
                f"本场应到 {len(s.member_ids)} 人，出席 {len(s.present_ids)} 人"
                "  Space 出席/未到  a 添加人员"
            )  # fmt: skip
        )

    @on(RowActionTable.RowAction, "#sd-people")
    def _row_action(self, event: RowActionTable.RowAction) -> None:
        event.stop()
        if event.name == "toggle":
            ids = self.sitting.member_ids
            if 0 <= event.row < len(ids):
                self.sitting = toggle_present(self.sitting, ids[event.row])
                self._fill()
                t = self.query_one(SittingPeople)
                if event.row + 1 < t.row_count:
                    t.move_cursor(row=event.row + 1)
        elif event.name == "add":
            self._add_person()

    def _add_person(self) -> None:
        from screens.dialogs import ChoicePrompt

        others = [(pid, n) for pid, n in self.names.items() if pid not in self.sitting.member_ids]
        if not others:
            self.notify("应到人员都已在本场名单中", markup=False)
            return

        def chosen(pid: str | None) -> None:
            if pid:
                s = self.sitting
                self.sitting = s.model_copy(update={"member_ids": [*s.member_ids, pid]})
                self._fill()
                # The cursor goes to the one added: Space then marks them present.
                t = self.query_one(SittingPeople)
                t.move_cursor(row=t.row_count - 1)
                t.focus()

        self.app.push_screen(ChoicePrompt("添加到本场（如补参加的人员）", others), chosen)

    def _build(self) -> Sitting:
        def value(id_: str) -> str:
            return self.query_one(f"#{id_}", Input).value.strip()

        try:
            day = parse_date(value("sd-date"))
        except DateParseError as e:
            raise ValueError(f"日期：{e}") from None
        try:
            start = parse_optional_time(value("sd-start"))
            end = parse_optional_time(value("sd-end"))
        except ValueError as e:
            raise ValueError(f"时间：{e}") from None
        if start and end and end <= start and day == self.sitting.date:
            # A night sitting may cross midnight; only a same-clock end is refused.
            if end == start:
                raise ValueError("结束时间应晚于开始时间")
        if not value("sd-label"):
            raise ValueError("请填写场次名称")
        return Sitting.model_validate(
            self.sitting.model_copy(
                update={"label": value("sd-label"), "date": day, "start_time": start,
                        "end_time": end, "place": value("sd-place"),
                        "leader_name": value("sd-leader"), "leader_id": self._leader_id()}
            ).model_dump()
        )  # fmt: skip

    def _leader_id(self) -> str | None:
        name = self.query_one("#sd-leader", Input).value.strip()
        return next((pid for pid, n in self.names.items() if n == name), None)

    def action_ok(self) -> None:
        try:
            sitting = self._build()
        except ValueError as e:
            self.query_one("#sd-result", Static).update(content(str(e)))
            self.notify(str(e), severity="warning", markup=False)
            return
        self.dismiss(sitting)

    def action_cancel(self) -> None:
        if self._typed() == self._initial:
            self.dismiss(None)
            return
        from screens.meetings.dialogs import ConfirmDialog

        def leave(yes: bool | None) -> None:
            if yes:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmDialog(f"放弃对{self.sitting.label}的修改？",
                          "已填写的时间、地点、带领人和勾选的出席不会保存。按 Ctrl+S 可先确定。"),
            leave,
        )  # fmt: skip
