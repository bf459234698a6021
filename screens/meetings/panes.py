"""The sections of a running meeting. Each pane shows the screen's meeting
and asks for changes by posting :class:`Pane.MeetingEdit` (the screen applies
it to its current meeting); the rules live in domain.meetings, the panes only
call them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, DataTable, Input, Label, Static, TextArea

from domain.dates import DateParseError, format_time, parse_date, parse_optional_time
from domain.meeting_kinds import ContentKind, MeetingKind, kind_spec
from domain.meeting_rules import AttendanceEntry, AttendanceState, ExclusionReason
from domain.meetings import (
    ConfirmationResult,
    ContentValue,
    CountsImpossible,
    Decision,
    Election,
    GateState,
    Meeting,
    Speaker,
    StepState,
    Vote,
    attendance_summary,
    gate_status,
    grade_check,
    mark_gate_step_done,
    new_vote,
    parse_people,
    people_text,
    quorum,
    record_election,
    record_step,
    record_vote,
    reopen_step,
    set_confirmation_result,
    sign_in_all,
    skip_step,
    step_records,
    step_state,
    validate_for_finish,
    vote_outcome,
)
from domain.people import Person
from domain.procedures import StepTemplate
from domain.text import LONG_MAX
from widgets.app_handle import zapp
from widgets.date_input import DateInput
from widgets.limited_input import LimitedInput, LimitedTextArea
from widgets.row_action_table import RowActionTable
from widgets.safe import content, text
from widgets.tables import add_columns


class MeetingHost(Protocol):
    """What a pane reads from the screen that owns the meeting (the screen
    imports the panes, so the panes name only this shape). Changes go up as
    Pane.MeetingEdit messages, never as calls."""

    meeting: Meeting
    restoring: bool

    @property
    def branch_id(self) -> str: ...


class Pane(Vertical):
    """Base: read access to the owning screen's meeting; edits go up as messages."""

    FIRST_FOCUS = "DataTable"  # what gets focus when the section opens

    @dataclass
    class MeetingEdit(Message):
        """Change the meeting: the screen calls *change* on its current one
        (so quick keys never edit a stale copy), keeps the draft, then
        reloads *pane* if asked."""

        pane: Pane
        change: Callable[[Meeting], Meeting]
        raw: dict[str, str] | None = None
        reload: bool = False
        # A domain rule may refuse (ValueError with a Chinese message): a warning, not a crash.
        refusable: bool = False

        @property
        def control(self) -> Pane:
            return self.pane

    @property
    def run(self) -> MeetingHost:
        return cast("MeetingHost", self.screen)

    def change(
        self,
        change: Callable[[Meeting], Meeting],
        *,
        raw: dict[str, str] | None = None,
        reload: bool = True,
        refusable: bool = False,
    ) -> None:
        self.post_message(self.MeetingEdit(self, change, raw, reload, refusable))

    @dataclass
    class DialogDraft(Message):
        """A dialog's typed text (``spec``), or None once it closed: the screen
        keeps it in the meeting's draft, so a hang-up loses nothing typed."""

        pane: Pane
        spec: dict[str, Any] | None

        @property
        def control(self) -> Pane:
            return self.pane

    def keep_dialog(self, spec: dict[str, Any] | None) -> None:
        self.post_message(self.DialogDraft(self, spec))

    def load(self) -> None:  # pragma: no cover - overridden
        pass

    def reopen_dialog(self, spec: dict[str, Any]) -> None:
        """Open the dialog a resumed draft was saved with (panes that have dialogs)."""


# -- 基本信息 ----------------------------------------------------------------


class InfoPane(Pane):
    FIRST_FOCUS = "#i-title"
    BINDINGS = [Binding("ctrl+o", "pick_role", "选人", priority=True)]

    def compose(self) -> ComposeResult:
        m = self.run.meeting
        with VerticalScroll():
            yield Static(content(f"{m.kind} · {m.org_name}"), classes="pane-title")
            for fid, label, value in (
                ("title", "会议名称", m.title),
                ("place", "地点", m.place),
            ):
                with Horizontal(classes="row"):
                    yield Label(label)
                    yield LimitedInput(value, id=f"i-{fid}", max_length=100, compact=True)
            with Horizontal(classes="row"):
                yield Label("日期")
                yield DateInput(m.date, id="i-date", compact=True)
            with Horizontal(classes="row"):
                yield Label("开始时间")
                yield LimitedInput(
                    format_time(m.start_time),
                    id="i-start",
                    placeholder="如 9:30",
                    max_length=8,
                    compact=True,
                )
            with Horizontal(classes="row"):
                yield Label("结束时间")
                yield LimitedInput(
                    format_time(m.end_time),
                    id="i-end",
                    placeholder="如 11:00",
                    max_length=8,
                    compact=True,
                )
            if m.kind is MeetingKind.CONFIRMATION:
                # Until the person's record holds the probation dates, the
                # meeting is told when the probation began.
                with Horizontal(classes="row"):
                    yield Label("预备期开始")
                    yield DateInput(m.probation_start, id="i-probation", compact=True)
                with Horizontal(classes="row"):
                    yield Label("转正决议")
                    yield Button(text(m.confirmation_result or "（Enter 选择）"),
                                 id="i-result", compact=True)  # fmt: skip
                with Horizontal(classes="row"):
                    yield Label("延长月数")
                    hint = (
                        f"已延长{m.probation_extended_months}个月，不能再延长"
                        if m.probation_extended_months
                        else "决议延长预备期时填 6–12"
                    )
                    yield LimitedInput(
                        "" if m.extension_months is None else str(m.extension_months),
                        id="i-extension", max_length=2, restrict=r"[0-9]*",
                        placeholder=hint, compact=True,
                    )  # fmt: skip
            for role, label in self._roles():
                with Horizontal(classes="row"):
                    yield Label(label)
                    yield Button(
                        text(getattr(m, f"{role}_name") or "（Enter 选择）"),
                        id=f"i-{role}",
                        compact=True,
                    )
            yield Label("会议议题（每行一个）")
            yield LimitedTextArea(
                "\n".join(m.topics), id="i-topics", soft_wrap=True, max_length=4000
            )
            yield from self._content_fields()
            yield Static(id="i-error", classes="pane-error")

    def _content_fields(self) -> ComposeResult:
        """The kind's own fields (domain.meeting_kinds.ContentField), as data says."""
        m = self.run.meeting
        for f in kind_spec(m.kind).content:
            value = m.content.get(f.key)
            yield Label(f.label)
            if f.hint:  # a Static wraps at 80 columns where a long Label would clip
                yield Static(content(f.hint), classes="muted")
            if f.kind is ContentKind.COUNTS:
                for i, option in enumerate(f.options):
                    n = value.counts.get(option) if value else None
                    with Horizontal(classes="row"):
                        yield Label(option)
                        yield LimitedInput(
                            "" if n is None else str(n), id=f"i-c-{f.key}-{i}",
                            max_length=4, restrict=r"[0-9]*", compact=True,
                            classes="content-field",
                        )  # fmt: skip
                yield Static(id=f"i-c-{f.key}-check", classes="muted")
                continue
            text_value = people_text(value) if f.kind is ContentKind.PEOPLE else (
                value.text if value else ""
            )  # fmt: skip
            yield LimitedTextArea(
                text_value, id=f"i-c-{f.key}", soft_wrap=True, max_length=LONG_MAX,
                classes="content-field",
            )

    def _content_update(self, errors: list[str]) -> dict[str, ContentValue]:
        """What the content fields hold now; unreadable lines go to *errors*."""
        m = self.run.meeting
        out = dict(m.content)
        for f in kind_spec(m.kind).content:
            if f.kind is ContentKind.COUNTS:
                counts = {}
                for i, option in enumerate(f.options):
                    typed = self.query_one(f"#i-c-{f.key}-{i}", Input).value.strip()
                    if typed.isdigit():
                        counts[option] = int(typed)
                out[f.key] = ContentValue(counts=counts)
                continue
            typed = self.query_one(f"#i-c-{f.key}", TextArea).text
            if f.kind is ContentKind.PEOPLE:
                people, problems = parse_people(m, typed)
                errors += [f"{f.label}：{p}" for p in problems]
                out[f.key] = ContentValue(people=people)
            else:
                out[f.key] = ContentValue(text=typed)
        return out

    def _show_checks(self, meeting: Meeting) -> None:
        for f in kind_spec(meeting.kind).content:
            if f.kind is ContentKind.COUNTS:
                check = grade_check(meeting, f.key)
                self.query_one(f"#i-c-{f.key}-check", Static).update(
                    content(check.text if check else "")
                )

    def _roles(self) -> list[tuple[str, str]]:
        roles = [("chair", "主持人"), ("recorder", "记录人")]
        if self.run.meeting.kind is MeetingKind.LECTURE:
            roles.append(("lecturer", "授课人"))
        return roles

    def load(self) -> None:
        m = self.run.meeting
        for role, _label in self._roles():
            self.query_one(f"#i-{role}", Button).label = text(
                getattr(m, f"{role}_name") or "（Enter 选择）"
            )
        for b in self.query("#i-result").results(Button):
            b.label = text(m.confirmation_result or "（Enter 选择）")
        self._show_checks(m)

    @on(Input.Changed)
    @on(TextArea.Changed)
    def _changed(self) -> None:
        if self.run.restoring:
            return
        errors: list[str] = []
        update: dict[str, object] = {
            "title": self.query_one("#i-title", Input).value,
            "place": self.query_one("#i-place", Input).value,
            "topics": [
                t.strip()
                for t in self.query_one("#i-topics", TextArea).text.splitlines()
                if t.strip()
            ],
        }
        try:
            update["date"] = parse_date(
                self.query_one("#i-date", Input).value, today=zapp(self).today
            )
        except DateParseError as e:
            errors.append(f"日期：{e}")
        for fid, key, label in (
            ("i-start", "start_time", "开始时间"),
            ("i-end", "end_time", "结束时间"),
        ):
            try:
                update[key] = parse_optional_time(self.query_one(f"#{fid}", Input).value)
            except DateParseError as e:
                errors.append(f"{label}：{e}")
        for field in self.query("#i-probation").results(DateInput):
            try:
                update["probation_start"] = field.date_value
            except DateParseError as e:
                errors.append(f"预备期开始：{e}")
        for box in self.query("#i-extension").results(Input):
            # Digits only (restrict); the 6–12 rule is checked when finishing.
            typed = box.value.strip()
            update["extension_months"] = int(typed) if typed.isdigit() else None
        if kind_spec(self.run.meeting.kind).content:
            update["content"] = self._content_update(errors)
            self._show_checks(self.run.meeting.model_copy(update=update))
        # One message a line: joined on one line, a wrap fell inside a message.
        self.query_one("#i-error", Static).update(content("\n".join(errors), multiline=True))
        self.change(lambda m: m.model_copy(update=update), raw=self.raw_values(), reload=False)

    def raw_values(self) -> dict[str, str]:
        """What is typed, kept in the draft even while it does not parse yet."""
        out = {
            f: self.query_one(f"#i-{f}", Input).value
            for f in ("title", "place", "date", "start", "end")
        }
        out["topics"] = self.query_one("#i-topics", TextArea).text
        for field in self.query("#i-probation, #i-extension").results(Input):
            out[(field.id or "").removeprefix("i-")] = field.value
        for area in self.query(".content-field").results(TextArea):
            out[area.id or ""] = area.text
        for box in self.query(".content-field").results(Input):
            out[box.id or ""] = box.value
        return out

    def restore_raw(self, raw: dict[str, str]) -> None:
        fields: tuple[str, ...] = ("title", "place", "date", "start", "end")
        if self.run.meeting.kind is MeetingKind.CONFIRMATION:
            fields += ("probation", "extension")
        for f in fields:
            if f in raw:
                self.query_one(f"#i-{f}", Input).value = raw[f]
        if "topics" in raw:
            self.query_one("#i-topics", TextArea).text = raw["topics"]
        for area in self.query(".content-field").results(TextArea):
            if area.id in raw:
                area.text = raw[area.id]
        for box in self.query(".content-field").results(Input):
            if box.id in raw:
                box.value = raw[box.id]

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        role = (event.button.id or "").removeprefix("i-")
        if role == "result":
            self._pick_result()
            return
        self._pick(role)

    def _pick_result(self) -> None:
        """转正决议: the domain refuses 按期转正 before a year of probation; say why."""
        from screens.dialogs import ChoicePrompt

        def chosen(value: str | None) -> None:
            if value is None:
                return
            if not value:
                self.change(lambda m: m.model_copy(update={"confirmation_result": None}))
                return
            result = ConfirmationResult(value)
            try:  # checked here too, so the refusal also stays on the pane
                set_confirmation_result(self.run.meeting, result)
            except ValueError as e:
                self.query_one("#i-error", Static).update(content(str(e)))
                self.app.notify(str(e), severity="warning", markup=False, timeout=8)
                return
            self.change(lambda m: set_confirmation_result(m, result), refusable=True)

        choices = [(r.value, r.value) for r in ConfirmationResult] + [("", "（未定）")]
        self.app.push_screen(ChoicePrompt("转正决议", choices), chosen)

    def action_pick_role(self) -> None:
        focused = self.app.focused
        role = (focused.id or "").removeprefix("i-") if isinstance(focused, Button) else "chair"
        self._pick(role)

    def _pick(self, role: str) -> None:
        from widgets.person_picker import PickPersonScreen

        label = dict(self._roles()).get(role)
        if not label:
            return

        def chosen(p: object) -> None:
            if isinstance(p, Person):
                update = {f"{role}_id": p.id, f"{role}_name": p.name}
                self.change(lambda m: m.model_copy(update=update))

        self.app.push_screen(PickPersonScreen(f"选择{label}", branch_id=self.run.branch_id), chosen)


# -- 签到 --------------------------------------------------------------------

STATE_KEYS = {"1": AttendanceState.PRESENT, "2": AttendanceState.LEAVE, "3": AttendanceState.ABSENT,
              "4": AttendanceState.OBSERVER}  # fmt: skip


class AttendanceTable(RowActionTable):
    BINDINGS = [
        Binding("1", "row('mark', '1')", "出席"),
        Binding("2", "row('mark', '2')", "请假"),
        Binding("3", "row('mark', '3')", "缺席"),
        Binding("4", "row('mark', '4')", "列席"),
        Binding("space", "row('mark', '1')", "出席", show=False),
        # The pane's hint line lists these; the footer has no room for them at 80 columns.
        Binding("w", "row('written')", "书面意见", show=False),
        Binding("x", "row('exclude')", "不计应到", show=False),
        Binding("a", "row('add_guest')", "添加列席", show=False),
        Binding("A", "row('all_present')", "其余出席", show=False),
    ]


class AttendancePane(Pane):
    def compose(self) -> ComposeResult:
        yield Static(id="a-summary", classes="pane-summary")
        yield AttendanceTable(id="a-table", cursor_type="row", zebra_stripes=True)

    @on(RowActionTable.RowAction)
    def _row_action(self, event: RowActionTable.RowAction) -> None:
        event.stop()
        if event.name == "mark":
            self.mark(event.row, STATE_KEYS[event.arg])
        elif event.name == "written":
            self.toggle_written(event.row)
        elif event.name == "exclude":
            self.exclude(event.row)
        elif event.name == "add_guest":
            self.add_guest()
        elif event.name == "all_present":
            self.all_present()

    def all_present(self) -> None:
        """Everyone still 未签到 is marked 出席 at once; says how many."""
        try:
            _m, n = sign_in_all(self.run.meeting)
        except ValueError as e:
            self.app.notify(str(e), severity="warning", markup=False)
            return
        if not n:
            self.app.notify("没有未签到的人", markup=False)
            return
        self.change(lambda m: sign_in_all(m)[0])
        self.app.notify(f"已将其余 {n} 人标为出席", markup=False)

    def on_mount(self) -> None:
        t = self.query_one(AttendanceTable)
        add_columns(
            t,
            (
                ("姓名", "name", 8),
                ("身份", "status", 8),
                ("表决权", "vote", 6),
                ("签到", "state", 6),
                ("原因/说明", "reason", 26),
            ),
        )

    def load(self) -> None:
        m = self.run.meeting
        t = self.query_one(AttendanceTable)
        row = t.cursor_row
        t.clear()
        for i, e in enumerate(m.attendance):
            note = e.reason
            if e.excluded_reason:
                note = f"不计入应到：{e.excluded_reason}" + (f"；{note}" if note else "")
            if e.written_opinion:
                note = ("已交书面意见；" + note) if note else "已交书面意见"
            style = (
                "bold green"
                if e.state is AttendanceState.PRESENT
                else ("yellow" if e.state is AttendanceState.LEAVE else "")
            )
            t.add_row(text(e.name), text(e.status.value if e.status else e.post or "—"),
                      text("有" if e.has_vote else "无"), text(str(e.state), style), text(note), key=str(i))  # fmt: skip
        if t.row_count:
            t.move_cursor(row=min(row, t.row_count - 1))
        self.query_one("#a-summary", Static).update(attendance_text(self.run.meeting))

    def _entry(self, row: int) -> AttendanceEntry | None:
        att = self.run.meeting.attendance
        return att[row] if 0 <= row < len(att) else None

    def _replace(self, row: int, entry: AttendanceEntry) -> None:
        def replace(m: Meeting) -> Meeting:
            att = list(m.attendance)
            att[row] = entry
            return m.model_copy(update={"attendance": att})

        self.change(replace)

    def mark(self, row: int, state: AttendanceState) -> None:
        e = self._entry(row)
        if e is None:
            return
        if state in (AttendanceState.LEAVE, AttendanceState.ABSENT):
            from screens.dialogs import LinePrompt

            def with_reason(reason: str | None) -> None:
                if reason is not None:
                    self._replace(row, e.model_copy(update={"state": state, "reason": reason}))
                    self._advance(row)

            self.app.push_screen(
                LinePrompt(f"{e.name} {state}原因", value=e.reason, required=False), with_reason
            )
            return
        self._replace(
            row,
            e.model_copy(
                update={
                    "state": state,
                    "reason": "" if state is AttendanceState.PRESENT else e.reason,
                }
            ),
        )
        self._advance(row)

    def _advance(self, row: int) -> None:
        t = self.query_one(AttendanceTable)
        if row + 1 < t.row_count:
            t.move_cursor(row=row + 1)

    def toggle_written(self, row: int) -> None:
        e = self._entry(row)
        if e is None:
            return
        if e.present:
            self.app.notify("书面意见只记缺席者的", markup=False)
            return
        self._replace(row, e.model_copy(update={"written_opinion": not e.written_opinion}))

    def exclude(self, row: int) -> None:
        from screens.dialogs import ChoicePrompt

        e = self._entry(row)
        if e is None:
            return
        choices = [(r.name, str(r)) for r in ExclusionReason] + [("", "计入应到（撤销）")]

        def chosen(value: str | None) -> None:
            if value is None:
                return
            reason = ExclusionReason[value] if value else None
            self._replace(row, e.model_copy(update={"excluded_reason": reason}))

        self.app.push_screen(
            ChoicePrompt(f"{e.name} 不计入应到的原因（需上级批准并经党员大会通过）", choices),
            chosen,
        )

    def add_guest(self) -> None:
        self._ask_guest()

    @work(group="meeting-dialog")
    async def _ask_guest(self) -> None:
        """Who, then in which role: two dialogs in turn (a worker so each can be awaited)."""
        from screens.dialogs import ChoicePrompt
        from widgets.person_picker import NewPerson, PickPersonScreen

        p = await self.app.push_screen_wait(
            PickPersonScreen("添加列席或上级指导人员", allow_new=True)
        )
        if p is None:
            return
        name = p.name if isinstance(p, (Person, NewPerson)) else ""
        choices = [
            (AttendanceState.OBSERVER.value, "列席"),
            (AttendanceState.SUPERVISOR.value, "上级指导"),
        ]
        role = await self.app.push_screen_wait(ChoicePrompt(f"{name} 的身份", choices))
        if role is None:
            return
        state = AttendanceState(role)
        if isinstance(p, Person):
            entry = AttendanceEntry(person_id=p.id, name=p.name, status=p.status,
                                    post=p.post.value if p.post else "", state=state)  # fmt: skip
        else:
            entry = AttendanceEntry(name=name, state=state)
        self.change(lambda m: m.model_copy(update={"attendance": [*m.attendance, entry]}))


def attendance_text(m: Meeting) -> Text:
    a = attendance_summary(m)
    q = quorum(m)
    mark = ("✓ 可以进行表决", "bold green") if q.ok else ("✗ 不足法定人数", "bold red")
    return Text.assemble(
        f"应到 {a.expected} 人（正式 {a.expected_full}，预备 {a.expected_probationary}；有表决权 {a.expected_voting}）"
        f"  实到 {a.present} 人（有表决权 {a.present_voting}）  ",
        mark,
        "\n",
        (q.explanation, "dim"),
        "\n",
        ("1 出席 2 请假 3 缺席 4 列席 A 其余出席  w 书面 x 不计应到 a 添加", "dim"),
    )


# -- 程序 --------------------------------------------------------------------


class StepsTable(RowActionTable):
    BINDINGS = [
        Binding("d", "row('done')", "完成"),
        Binding("n", "row('notes')", "记录"),
        Binding("p", "row('speaker')", "发言"),
        Binding("s", "row('skip')", "跳过"),
        Binding("u", "row('undo')", "撤销"),
    ]


STATE_STYLE = {StepState.DONE: "green", StepState.SKIPPED: "yellow", StepState.OPEN: ""}
GATE_STYLE = {GateState.PASSED: "green", GateState.FAILED: "bold red", GateState.MANUAL: "yellow"}


class StepsPane(Pane):
    def compose(self) -> ComposeResult:
        yield StepsTable(id="s-table", cursor_type="row", zebra_stripes=True)
        # 遗留问题: the branch's open 问题清单 entries, an agenda item of every
        # meeting until verified closed (docs/RULES.md#问题清单); shown when any.
        yield Static(id="s-carried", classes="pane-summary")
        yield Static(id="s-guide", classes="pane-summary")

    @on(RowActionTable.RowAction)
    def _row_action(self, event: RowActionTable.RowAction) -> None:
        event.stop()
        handlers = {
            "done": self.done, "notes": self.notes, "speaker": self.speaker,
            "skip": self.skip, "undo": self.undo,
        }  # fmt: skip
        handlers[event.name](event.row)

    def on_mount(self) -> None:
        t = self.query_one(StepsTable)
        add_columns(
            t,
            (
                ("#", "n", 2),
                ("阶段", "phase", 4),
                ("⚑检查", "gate", 8),
                ("步骤", "title", 30),
                ("状态", "state", 6),
            ),
        )

    def load(self) -> None:
        m = self.run.meeting
        t = self.query_one(StepsTable)
        row = t.cursor_row
        t.clear()
        for i, s in enumerate(m.procedure.steps, 1):
            state = step_state(m, s.key)
            if s.hard_gate:
                g = gate_status(m, s.key)  # the mark is text, the colour only repeats it
                gate = text(f"⚑{g.state.value}", GATE_STYLE[g.state])
            else:
                gate = text("")
            t.add_row(text(i), text(s.phase), gate, text(s.title),
                      text(str(state), STATE_STYLE[state]), key=s.key)  # fmt: skip
        if t.row_count:
            t.move_cursor(row=min(row, t.row_count - 1))
        self._carried()
        self._guide(t.cursor_row)

    def _carried(self) -> None:
        from screens.loop.problems import carried_lines

        box = self.query_one("#s-carried", Static)
        lines = carried_lines(zapp(self).store, self.run.meeting, zapp(self).today)
        box.display = bool(lines)
        box.update(content("\n".join(lines), multiline=True))

    @on(DataTable.RowHighlighted, "#s-table")
    def _moved(self, event: DataTable.RowHighlighted) -> None:
        self._guide(event.cursor_row)

    @on(DataTable.RowSelected, "#s-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.done(event.cursor_row)

    def _step(self, row: int) -> StepTemplate | None:
        steps = self.run.meeting.procedure.steps
        return steps[row] if 0 <= row < len(steps) else None

    def _guide(self, row: int) -> None:
        step = self._step(row)
        if step is None:
            return
        m = self.run.meeting
        lines = [f"{'⚑ 必须完成：' if step.hard_gate else ''}{step.guidance}"]
        if step.hard_gate:
            g = gate_status(m, step.key)
            lines.append(f"⚑ 检查 {g.state.value}：{g.reason}")
        for r in step_records(m, step.key):
            if r.done_at:
                lines.append(f"完成于 {r.done_at.strftime('%H:%M')}")
            if r.skipped:
                lines.append(f"跳过：{r.skip_reason}")
            if r.notes:
                lines.append(f"记录：{r.notes[:120]}")
            for sp in r.speakers:
                lines.append(
                    f"发言 {sp.name}{'（不同意见）' if sp.dissent else ''}：{sp.remark[:60]}"
                )
        lines.append("Enter/d 完成  n 记录  p 发言  s 跳过  u 撤销")
        self.query_one("#s-guide", Static).update(content("\n".join(lines), multiline=True))

    def _now(self) -> dt.datetime:
        now = dt.datetime.now().replace(second=0, microsecond=0)
        return dt.datetime.combine(self.run.meeting.date, now.time())

    def _try(self, fn: Callable[[Meeting], Meeting]) -> None:
        self.change(fn, refusable=True)

    def _ask(self, title: str, body: str, then: Callable[[], None]) -> None:
        from screens.meetings.dialogs import ConfirmDialog

        def answered(yes: bool | None) -> None:
            if yes:
                then()

        self.app.push_screen(ConfirmDialog(title, body), answered)

    def done(self, row: int) -> None:
        """Tick a step. A ⚑ step whose condition fails is refused with the
        reason; one only a person can confirm asks exactly that; a skipped
        step asks before it is un-skipped."""
        step = self._step(row)
        if step is None:
            return
        m = self.run.meeting
        if m.finished:
            self.app.notify("已完成的会议只读；按 c 生成更正版本", markup=False)
            return
        key = step.key

        def tick() -> None:
            self._try(lambda m: mark_gate_step_done(m, key, self._now()))
            t = self.query_one(StepsTable)
            if row + 1 < t.row_count:
                t.move_cursor(row=row + 1)

        gate = gate_status(m, key) if step.hard_gate else None
        if gate is not None and gate.state is GateState.FAILED:
            self.app.notify(
                f"⚑「{step.title}」未满足，不能标为完成：{gate.reason}",
                severity="warning",
                markup=False,
                timeout=8,
            )
            self._guide(row)
            return
        questions: list[str] = []
        if step_state(m, key) is StepState.SKIPPED:
            reason = next((r.skip_reason for r in step_records(m, key) if r.skipped), "")
            questions.append(f"此步骤已跳过（原因：{reason}）。标为已完成将撤销跳过，原因不再保留。")
        if gate is not None and gate.state is GateState.MANUAL:
            questions.append(gate.reason)
        if questions:
            self._ask(f"完成「{step.title}」？", "\n".join(questions), tick)
            return
        tick()

    # -- dialogs whose typed text is in the draft -----------------------------
    def _typing(self, spec: Mapping[str, object]) -> Callable[[Mapping[str, object]], None]:
        def typed(raw: Mapping[str, object]) -> None:
            self.keep_dialog({**spec, "raw": raw})

        return typed

    def notes(self, row: int, *, raw: dict[str, str] | None = None) -> None:
        from screens.meetings.dialogs import DraftedNotePrompt

        step = self._step(row)
        if step is None:
            return
        key = step.key
        existing = next(
            (r.notes for r in step_records(self.run.meeting, key) if not r.skipped), ""
        )

        def save(value: str | None) -> None:
            self.keep_dialog(None)
            if value is not None:
                self._try(lambda m: record_step(m, key, notes=value))

        value = raw["text"] if raw and "text" in raw else existing
        prompt = DraftedNotePrompt(
            f"记录：{step.title}", value=value,
            on_typing=self._typing({"kind": "note", "step": key}),
        )  # fmt: skip
        self.app.push_screen(prompt, save)

    def speaker(self, row: int) -> None:
        step = self._step(row)
        if step is not None:
            self._ask_speaker(step)

    @work(group="meeting-dialog")
    async def _ask_speaker(self, step: StepTemplate) -> None:
        """Who spoke, then the gist and the stance (dialogs in turn, each awaited)."""
        from widgets.person_picker import NewPerson, PickPersonScreen

        p = await self.app.push_screen_wait(
            PickPersonScreen("发言人", branch_id=self.run.branch_id, allow_new=True)
        )
        if isinstance(p, (Person, NewPerson)):
            await self._remark(step.key, getattr(p, "id", None), p.name, {})

    @work(group="meeting-dialog")
    async def _resume_remark(
        self, key: str, person_id: str | None, name: str, raw: dict[str, str]
    ) -> None:
        await self._remark(key, person_id, name, raw)

    async def _remark(
        self, key: str, person_id: str | None, name: str, raw: dict[str, str]
    ) -> None:
        """The remark is in the draft as it is typed, until the stance is chosen."""
        from screens.dialogs import ChoicePrompt
        from screens.meetings.dialogs import DraftedLinePrompt

        spec = {"kind": "speaker", "step": key, "person_id": person_id, "name": name}
        remark = await self.app.push_screen_wait(
            DraftedLinePrompt(f"{name} 的发言要点", value=raw.get("text", ""), max_length=2000,
                              on_typing=self._typing(spec))  # fmt: skip
        )
        if remark is None:
            self.keep_dialog(None)
            return
        choices = [("agree", "同意/一般发言"), ("dissent", "不同意见（记入纪要）")]
        choice = await self.app.push_screen_wait(ChoicePrompt("发言态度", choices))
        self.keep_dialog(None)
        if choice is None:
            return
        sp = Speaker(person_id=person_id, name=name, remark=remark, dissent=choice == "dissent")
        self._try(lambda m: record_step(m, key, speakers=[sp]))

    def skip(self, row: int, *, raw: dict[str, str] | None = None) -> None:
        from screens.meetings.dialogs import DraftedLinePrompt

        step = self._step(row)
        if step is None:
            return
        key = step.key

        def with_reason(reason: str | None) -> None:
            self.keep_dialog(None)
            if reason:
                self._try(lambda m: skip_step(m, key, reason))

        prompt = DraftedLinePrompt(
            f"跳过「{step.title}」的原因", value=(raw or {}).get("text", ""),
            on_typing=self._typing({"kind": "skip", "step": key}),
        )  # fmt: skip
        self.app.push_screen(prompt, with_reason)

    def reopen_dialog(self, spec: dict[str, Any]) -> None:
        """Open again the dialog a draft was saved with, holding what was typed."""
        keys = [s.key for s in self.run.meeting.procedure.steps]
        key = spec.get("step")
        if key not in keys:
            return
        row = keys.index(str(key))
        raw = spec.get("raw") or {}
        if spec["kind"] == "note":
            self.notes(row, raw=raw)
        elif spec["kind"] == "skip":
            self.skip(row, raw=raw)
        elif spec["kind"] == "speaker":
            self._resume_remark(str(key), spec.get("person_id"), str(spec.get("name") or ""), raw)

    def undo(self, row: int) -> None:
        step = self._step(row)
        if step is not None:
            self._try(lambda m: reopen_step(m, step.key))


# -- 表决 / 选举 / 决议 --------------------------------------------------------


class ItemsTable(RowActionTable):
    BINDINGS = [
        Binding("a", "row('add')", "新增"),
        Binding("e", "row('edit')", "编辑"),
        Binding("delete", "row('remove')", "删除"),
    ]


ItemT = TypeVar("ItemT", Vote, Election, Decision)


class ItemsPane(Pane, Generic[ItemT]):
    """A list of votes / elections / decisions with add, edit and delete."""

    FIELD = ""
    COLUMNS: tuple[tuple[str, int], ...] = ()
    HINT = "a 新增  e/Enter 编辑  Del 删除"

    @on(RowActionTable.RowAction)
    def _row_action(self, event: RowActionTable.RowAction) -> None:
        event.stop()
        if event.name == "add":
            self.add()
        elif event.name == "edit":
            self.edit(event.row)
        elif event.name == "remove":
            self.remove_item(event.row)

    def compose(self) -> ComposeResult:
        yield ItemsTable(cursor_type="row", zebra_stripes=True)
        yield Static(classes="pane-summary")

    def on_mount(self) -> None:
        t = self.query_one(ItemsTable)
        for label, width in self.COLUMNS:
            t.add_column(label, width=width)

    def items(self) -> list[ItemT]:
        return list(getattr(self.run.meeting, self.FIELD))

    def load(self) -> None:
        t = self.query_one(ItemsTable)
        t.clear()
        for i, item in enumerate(self.items()):
            t.add_row(*self.cells(item), key=str(i))
        self.query_one(".pane-summary", Static).update(
            content(self.summary() + "\n" + self.HINT, multiline=True)
        )

    def summary(self) -> str:
        return f"共 {len(self.items())} 项"

    def cells(self, item: ItemT) -> list[Text]:
        raise NotImplementedError

    def store_items(self, items: list[ItemT]) -> None:
        self.change(lambda m: m.model_copy(update={self.FIELD: items}))

    def put(self, index: int | None, item: ItemT | None) -> None:
        self.keep_dialog(None)  # the dialog closed: its text is saved or dropped now
        if item is None:
            return
        try:
            self.check(item)
        except CountsImpossible as e:  # the dialog refuses these; never store them
            self.app.notify("；".join(e.problems), severity="warning", markup=False)
            return
        except ValueError as e:  # e.g. the meeting was finished meanwhile
            self.app.notify(str(e), severity="warning", markup=False)
            return
        items = self.items()
        if index is None:
            items.append(item)
        else:
            items[index] = item
        self.store_items(items)

    def check(self, item: object) -> None:
        """Raise CountsImpossible for counts that cannot be true (votes, elections)."""

    def typing(self, index: int | None) -> Callable[[dict[str, Any]], None]:
        def typed(raw: dict[str, Any]) -> None:
            self.keep_dialog({"kind": self.FIELD, "index": index, "raw": raw})

        return typed

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.edit(event.cursor_row)

    # Not remove(): Widget.remove() takes the pane itself out of the DOM.
    def remove_item(self, row: int) -> None:
        items = self.items()
        if 0 <= row < len(items):
            del items[row]
            self.store_items(items)

    def add(self) -> None:
        self.open_dialog(None)

    def edit(self, row: int) -> None:
        if 0 <= row < len(self.items()):
            self.open_dialog(row)

    def open_dialog(self, index: int | None, raw: dict[str, str] | None = None) -> None:
        raise NotImplementedError

    def reopen_dialog(self, spec: dict[str, Any]) -> None:
        index = spec.get("index")
        if index is not None and not 0 <= int(index) < len(self.items()):
            index = None
        self.open_dialog(None if index is None else int(index), spec.get("raw") or {})


class VotesPane(ItemsPane[Vote]):
    FIELD = "votes"
    COLUMNS = (
        ("表决事项", 20),
        ("方式", 8),
        ("赞成", 4),
        ("反对", 4),
        ("弃权", 4),
        ("书面", 4),
        ("结果", 6),
    )

    def cells(self, v: Vote) -> list[Text]:
        out = vote_outcome(self.run.meeting, v)
        verdict = text("通过", "bold green") if out.passed else text("未通过", "bold red")
        return [
            text(v.subject),
            text(v.method),
            text(v.yes),
            text(v.no),
            text(v.abstain),
            text(v.written_yes),
            verdict,
        ]

    def check(self, item: object) -> None:
        record_vote(self.run.meeting, item)  # type: ignore[arg-type]  # this pane holds Votes only

    def open_dialog(self, index: int | None, raw: dict[str, str] | None = None) -> None:
        from screens.meetings.dialogs import VoteDialog

        m = self.run.meeting
        vote = new_vote(m, "表决事项") if index is None else self.items()[index]
        if index is None and m.topics:
            vote = vote.model_copy(update={"subject": m.topics[0][:200]})
        dialog = VoteDialog(m, vote, raw=raw, on_typing=self.typing(index))
        self.app.push_screen(dialog, lambda v: self.put(index, v))


class ElectionsPane(ItemsPane[Election]):
    FIELD = "elections"
    COLUMNS = (("选举事项", 20), ("应选", 4), ("发出", 4), ("收回", 4), ("有效", 4), ("当选", 16))

    def cells(self, e: Election) -> list[Text]:
        from domain.meetings import election_result

        out = election_result(self.run.meeting, e)
        names = {c.id: c.name for c in e.candidates}
        elected = "、".join(names.get(k, k) for k in out.elected) or ("无效" if out.void else "—")
        return [text(e.subject), text(e.seats), text(e.ballots_issued), text(e.ballots_returned),
                text(e.ballots_valid), text(elected)]  # fmt: skip

    def check(self, item: object) -> None:
        record_election(self.run.meeting, item)  # type: ignore[arg-type]  # this pane holds Elections only

    def open_dialog(self, index: int | None, raw: dict[str, str] | None = None) -> None:
        from screens.meetings.dialogs import ElectionDialog

        m = self.run.meeting
        e = (
            Election(subject="选举支部委员会委员", seats=3)
            if index is None
            else self.items()[index]
        )
        dialog = ElectionDialog(m, e, raw=raw, on_typing=self.typing(index))
        self.app.push_screen(dialog, lambda v: self.put(index, v))


class DecisionsPane(ItemsPane[Decision]):
    FIELD = "decisions"
    COLUMNS = (("决定事项", 36), ("责任人", 8), ("完成时限", 10))

    def cells(self, d: Decision) -> list[Text]:
        return [
            text(d.text),
            text(d.owner_name or "—"),
            text(d.deadline.isoformat() if d.deadline else "—"),
        ]

    def summary(self) -> str:
        return f"共 {len(self.items())} 项；完成会议后每项都会列在首页，直到关闭"

    def open_dialog(self, index: int | None, raw: dict[str, str] | None = None) -> None:
        from screens.meetings.dialogs import DecisionDialog

        d = Decision(text="决定事项") if index is None else self.items()[index]
        dialog = DecisionDialog(
            d, branch_id=self.run.branch_id, raw=raw, on_typing=self.typing(index)
        )
        self.app.push_screen(dialog, lambda v: self.put(index, v))


# -- 完成 --------------------------------------------------------------------


class FinishPane(Pane):
    FIRST_FOCUS = "#f-summary"

    def compose(self) -> ComposeResult:
        yield Label("主持人总结")
        yield LimitedTextArea(
            self.run.meeting.summary, id="f-summary", soft_wrap=True, max_length=LONG_MAX
        )
        yield VerticalScroll(Static(id="f-problems"), id="f-scroll")

    @on(TextArea.Changed, "#f-summary")
    def _summary(self, event: TextArea.Changed) -> None:
        if self.run.restoring or self.run.meeting.finished:
            return
        summary = event.text_area.text
        self.change(lambda m: m.model_copy(update={"summary": summary}), reload=False)

    def load(self) -> None:
        m = self.run.meeting
        box = self.query_one("#f-problems", Static)
        self.query_one("#f-summary", TextArea).read_only = m.finished
        if m.finished:
            box.update(content(f"会议已完成（{m.finished_at:%Y-%m-%d %H:%M}），记录只读。\nx 导出会议记录  c 生成更正版本",
                               multiline=True))  # fmt: skip
            return
        problems = validate_for_finish(m)
        if problems:
            lines = [f"还有 {len(problems)} 处需要处理，处理后按 f 完成会议："]
            q = quorum(m)
            if not q.ok:  # the one problem no amount of typing fixes: say it first
                lines.insert(0, f"✗ 不足法定人数：{q.explanation}")
            lines += [f"·{p}" for p in problems]
        else:
            lines = [
                "检查通过。按 f 完成会议（完成后记录只读，决议进入首页跟踪，缺席党员生成补学事项）。"
            ]
        box.update(content("\n".join(lines), multiline=True))
