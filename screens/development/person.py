"""发展党员 person view: the timeline, 培养联系人, 入党介绍人, documents received,
what is due and late; the form below records the next stage.

Ctrl+S records (a refusal shows the rule's reason and keeps what was typed);
j opens the 接收预备党员 meeting and z the 转正 meeting with the dossier filled in.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label, Select, Static

from domain.dates import DateParseError, format_date
from domain.development import MEETING_STAGES, Stage, StageEvent
from domain.meeting_kinds import MeetingKind
from services import development as dev_service
from services.errors import DomainError, NotFound
from widgets.app_handle import zapp
from widgets.date_input import DateInput
from widgets.footer import KeyFooter
from widgets.limited_input import LimitedInput
from widgets.safe import content, text
from widgets.tables import add_columns

LATE = "【逾期】"
RECORDABLE = [s for s in Stage if s not in MEETING_STAGES]


def _split_names(value: str) -> tuple[str, ...]:
    for sep in ("，", ",", " ", "；", ";"):
        value = value.replace(sep, "、")
    return tuple(n for n in (p.strip() for p in value.split("、")) if n)


def _number(value: str, label: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit():
        raise ValueError(f"{label}只能填数字")
    return int(value)


class DevelopmentPersonScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+s", "record", "记录"),
        Binding("j", "meeting('admission')", "接收大会"),
        Binding("z", "meeting('confirmation')", "转正大会"),
        Binding("escape", "back", "返回"),
    ]

    def __init__(self, person_id: str) -> None:
        super().__init__()
        self.person_id = person_id
        self.version: int | None = None
        self.dossier: dev_service.Dossier | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="dp-body"):
            yield Static(id="dp-head")
            yield Static(id="dp-people")
            yield Static(id="dp-due")
            yield DataTable(id="dp-timeline", cursor_type="row", zebra_stripes=True)
            yield Static(id="dp-docs")
            yield Static("记录阶段（Ctrl+S）", classes="dp-title")
            with Horizontal(classes="dp-row"):
                yield Label("阶段")
                yield Select(
                    [(s.value, s.value) for s in RECORDABLE],
                    id="dp-stage",
                    prompt="（选择阶段）",
                    compact=True,
                )
                yield Label("日期")
                yield DateInput(id="dp-date", compact=True)
            with Horizontal(classes="dp-row"):
                yield Label("人员")
                yield LimitedInput(
                    id="dp-people-in",
                    max_length=60,
                    compact=True,
                    placeholder="培养联系人，如 张伟、王芳",
                )
            with Horizontal(classes="dp-row"):
                yield Label("天数")
                yield LimitedInput(id="dp-days", max_length=3, compact=True)
                yield Label("学时")
                yield LimitedInput(id="dp-hours", max_length=4, compact=True)
            with Horizontal(classes="dp-row"):
                yield Label("备注")
                yield LimitedInput(id="dp-note", max_length=200, compact=True)
            yield Static(id="dp-error")
        yield KeyFooter()

    DEFAULT_CSS = """
    DevelopmentPersonScreen .dp-row { height: 1; }
    DevelopmentPersonScreen .dp-row Label { width: 6; }
    DevelopmentPersonScreen #dp-stage { width: 24; }
    DevelopmentPersonScreen #dp-date { width: 20; }
    DevelopmentPersonScreen #dp-days, DevelopmentPersonScreen #dp-hours { width: 10; }
    DevelopmentPersonScreen #dp-timeline { height: auto; max-height: 10; }
    DevelopmentPersonScreen .dp-title { text-style: bold; }
    """

    def on_mount(self) -> None:
        self.title = "发展党员"
        add_columns(
            self.query_one("#dp-timeline", DataTable),
            (("日期", "on", 10), ("阶段", "stage", 16), ("人员/说明", "detail", 36)),
        )
        self.reload()
        self.query_one("#dp-stage", Select).focus()

    def on_screen_resume(self) -> None:
        # Back from a 接收/转正 meeting: its finish may have recorded a stage.
        self.reload()

    def reload(self) -> None:
        app = zapp(self)
        try:
            d = dev_service.dossier(
                app.store, self.person_id, app.today, config=app.settings.rules.development
            )
        except NotFound as e:
            self.query_one("#dp-head", Static).update(content(str(e)))
            return
        self.dossier = d
        self.version = d.record.version
        head = Text()
        head.append(d.person.name, style="bold")
        head.append(
            f"  {d.person.status.value} · 当前阶段：{d.stage.value if d.stage else '未开始'}"
        )
        if d.probation_end:
            head.append(f" · 预备期满 {format_date(d.probation_end)}")
        if d.party_standing_since:
            head.append(f" · 党龄自 {format_date(d.party_standing_since)} 起算")
        self.query_one("#dp-head", Static).update(head)
        contacts = "、".join(d.contacts) or "（未指定）"
        sponsors = "、".join(d.sponsors) or "（未指定）"
        self.query_one("#dp-people", Static).update(
            content(f"培养联系人：{contacts}    入党介绍人：{sponsors}")
        )
        lines = [
            f"{LATE if x.late else '待办：'}{x.kind.value} {format_date(x.on)}（{x.text}）"
            for x in d.due
        ]
        self.query_one("#dp-due", Static).update(
            content("\n".join(lines) or "没有待办事项", multiline=True)
        )
        table = self.query_one("#dp-timeline", DataTable)
        table.clear()
        for i, ev in enumerate(d.record.timeline()):
            bits = ["、".join(ev.people)] if ev.people else []
            if ev.days:
                bits.append(f"{ev.days} 天")
            if ev.hours:
                bits.append(f"{ev.hours} 学时")
            if ev.months:
                bits.append(f"延长 {ev.months} 个月")
            if ev.note:
                bits.append(ev.note)
            table.add_row(
                text(format_date(ev.on)), text(ev.stage.value), text("；".join(bits)), key=str(i)
            )
        docs = "、".join(d.documents) or "（无）"
        self.query_one("#dp-docs", Static).update(content(f"已收材料：{docs}"))

    def _error(self, message: str) -> None:
        self.query_one("#dp-error", Static).update(content(message))

    def _event(self) -> StageEvent:
        sel = self.query_one("#dp-stage", Select)
        if sel.is_blank():
            raise ValueError("请选择要记录的阶段")
        try:
            on = self.query_one("#dp-date", DateInput).date_value
        except DateParseError as e:
            raise ValueError(str(e)) from e
        if on is None:
            raise ValueError("请填写日期")
        return StageEvent(
            stage=Stage(str(sel.value)),
            on=on,
            people=_split_names(self.query_one("#dp-people-in", LimitedInput).value),
            days=_number(self.query_one("#dp-days", LimitedInput).value, "天数"),
            hours=_number(self.query_one("#dp-hours", LimitedInput).value, "学时"),
            note=self.query_one("#dp-note", LimitedInput).value.strip(),
        )

    def action_record(self) -> None:
        try:
            event = self._event()
        except ValueError as e:
            self._error(str(e))
            return
        try:
            dev_service.record(
                zapp(self).store, self.person_id, event, expected_version=self.version,
                config=zapp(self).settings.rules.development,
            )  # fmt: skip
        except DomainError as e:
            self._error(f"未记录：{e}")
            return
        self._error("")
        for wid in ("#dp-people-in", "#dp-days", "#dp-hours", "#dp-note"):
            self.query_one(wid, LimitedInput).value = ""
        self.app.notify(f"已记录「{event.stage.value}」")
        self.reload()

    @on(Select.Changed, "#dp-stage")
    def _stage_changed(self, event: Select.Changed) -> None:
        hint = "培养联系人，如 张伟、王芳" if event.value == Stage.ACTIVIST.value else "（可不填）"
        self.query_one("#dp-people-in", LimitedInput).placeholder = hint

    def action_meeting(self, which: str) -> None:
        kind = MeetingKind.ADMISSION if which == "admission" else MeetingKind.CONFIRMATION
        app = zapp(self)
        try:
            meeting = dev_service.open_meeting(
                app.store, self.person_id, kind, app.today, rules=app.settings.rules.meetings
            )
        except DomainError as e:
            self._error(str(e))
            return
        # A new draft, as from m: typing goes into its first field at once.
        app.open_meeting_screen(meeting, new=True)

    def action_back(self) -> None:
        # The fields a record clears: what is left in them was typed and not recorded.
        typed = any(
            self.query_one(wid, LimitedInput).value.strip()
            for wid in ("#dp-people-in", "#dp-days", "#dp-hours", "#dp-note")
        )
        if not typed:
            self.app.pop_screen()
            return
        from screens.meetings.dialogs import ConfirmDialog

        def leave(yes: bool | None) -> None:
            if yes:
                self.app.pop_screen()

        self.app.push_screen(
            ConfirmDialog("放弃未记录的阶段信息？", "已填写的人员、天数、学时、备注不会保存。按 Ctrl+S 可先记录。"),
            leave,
        )
