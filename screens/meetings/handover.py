"""交接班活动: filed at handover in under a minute. Everything has a default
(today, the shift on duty by the clock, its members ticked, the 带班人 of the
shift), so typing the topic and Ctrl+S is enough (docs/SITTINGS.md)."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Header, Input, Label, Static

from domain.dates import DateParseError, parse_date
from domain.people_codes import Shift
from services import sittings as sitting_service
from services.errors import DomainError
from widgets.app_handle import ZhibuAppBase, zapp
from widgets.footer import KeyFooter
from widgets.limited_input import LimitedInput
from widgets.row_action_table import RowActionTable
from widgets.safe import content, text
from widgets.tables import add_columns

WORKFLOW = "handover"  # drafts: what was typed survives a hang-up (key: the branch id)
FIELDS = ("ho-date", "ho-leader", "ho-topic", "ho-minutes")


class HandoverPeople(RowActionTable):
    BINDINGS = [Binding("space", "row('toggle')", "参加/未参加")]


class HandoverScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "保存", priority=True),
        Binding("ctrl+t", "next_shift", "切换班次", priority=True),
        Binding("escape", "back", "返回"),
    ]

    def __init__(self, form: sitting_service.HandoverForm) -> None:
        super().__init__()
        self.form = form
        self.shift: Shift = form.shift
        self.ticked: list[str] = [p.id for p in form.on_shift(form.shift)]
        self._leader_typed = False
        self._saving = False
        self._restoring = True

    def compose(self) -> ComposeResult:
        f = self.form
        leader = f.leader(self.shift)
        yield Header()
        with Vertical(id="ho-box"):
            yield Static(content(f"交接班活动  {f.branch.name}（Ctrl+S 保存，Esc 返回）"),
                         id="ho-title")  # fmt: skip
            with Horizontal(classes="row"):
                yield Label("日期")
                yield LimitedInput(f.day.isoformat(), id="ho-date", max_length=10, compact=True)
                yield Label("班次", classes="label2")
                yield Static(id="ho-shift")
            with Horizontal(classes="row"):
                yield Label("带班人")
                yield LimitedInput(leader.name if leader else "", id="ho-leader", max_length=40,
                                   compact=True)  # fmt: skip
            with Horizontal(classes="row"):
                yield Label("主题")
                yield LimitedInput("", id="ho-topic", max_length=200, compact=True,
                                   placeholder="如：冬季安全生产交底")  # fmt: skip
            with Horizontal(classes="row"):
                yield Label("时长(分)")
                yield LimitedInput(str(f.config.default_minutes), id="ho-minutes", max_length=2,
                                   restrict=r"[0-9０-９]*", compact=True)  # fmt: skip
            yield HandoverPeople(id="ho-people", cursor_type="row", zebra_stripes=True)
            yield Static(id="ho-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        add_columns(self.query_one(HandoverPeople), (("参加", "mark", 4), ("姓名", "name", 10),
                                                     ("身份", "status", 8)))  # fmt: skip
        self._restore(zapp(self).drafts.load(WORKFLOW, self.form.branch.id))
        self._fill()
        self.query_one("#ho-topic", Input).focus()
        self.call_after_refresh(self._loaded)

    def _loaded(self) -> None:
        self._restoring = False

    def _restore(self, data: dict[str, object] | None) -> None:
        if not data:
            return
        shift = data.get("shift")
        if shift in {s.value for s in self.form.shifts}:
            self.shift = Shift(str(shift))
        ticked = data.get("ticked")
        if isinstance(ticked, list):
            self.ticked = [str(i) for i in ticked]
        self._leader_typed = bool(data.get("leader_typed"))
        with self.prevent(Input.Changed):
            for f in FIELDS:
                value = data.get(f)
                if isinstance(value, str):
                    self.query_one(f"#{f}", Input).value = value

    def _keep(self) -> None:
        """The form as typed into the drafts (at most every half second, services.draft_keeper)."""
        if self._restoring:
            return
        data: dict[str, object] = {f: self.query_one(f"#{f}", Input).value for f in FIELDS}
        data.update(shift=self.shift.value, ticked=list(self.ticked),
                    leader_typed=self._leader_typed)  # fmt: skip
        title = f"{self.form.branch.name} {self.shift}交接班活动"
        zapp(self).drafts.touch(WORKFLOW, self.form.branch.id, title, data)

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        self._keep()

    def _fill(self) -> None:
        t = self.query_one(HandoverPeople)
        row = t.cursor_row
        t.clear()
        people = self.form.on_shift(self.shift)
        for p in people:
            mark = "[√]" if p.id in self.ticked else "[ ]"
            t.add_row(text(mark), text(p.name), text(p.status.value), key=p.id)
        if t.row_count:
            t.move_cursor(row=min(row, t.row_count - 1))
        self.query_one("#ho-shift", Static).update(
            Text.assemble((self.shift.value, "bold"), ("  Ctrl+T 切换", "dim"))
        )
        ticked = sum(1 for p in people if p.id in self.ticked)
        self.query_one("#ho-status", Static).update(
            content(f"本班党员 {len(people)} 人，已勾选 {ticked} 人  Space 勾选/取消")
        )

    @on(Input.Changed, "#ho-leader")
    def _leader_changed(self, event: Input.Changed) -> None:
        if not self._restoring:
            self._leader_typed = True

    @on(RowActionTable.RowAction, "#ho-people")
    def _row_action(self, event: RowActionTable.RowAction) -> None:
        event.stop()
        people = self.form.on_shift(self.shift)
        if event.name == "toggle" and 0 <= event.row < len(people):
            pid = people[event.row].id
            if pid in self.ticked:
                self.ticked.remove(pid)
            else:
                self.ticked.append(pid)
            self._fill()
            self._keep()

    def action_next_shift(self) -> None:
        shifts = self.form.shifts
        self.shift = shifts[(shifts.index(self.shift) + 1) % len(shifts)]
        self.ticked = [p.id for p in self.form.on_shift(self.shift)]
        if not self._leader_typed:
            leader = self.form.leader(self.shift)
            with self.prevent(Input.Changed):
                self.query_one("#ho-leader", Input).value = leader.name if leader else ""
        self._fill()
        self._keep()

    def action_save(self) -> None:
        if self._saving:
            return

        def value(id_: str) -> str:
            return self.query_one(f"#{id_}", Input).value.strip()

        try:
            day = parse_date(value("ho-date"), today=zapp(self).today)
        except DateParseError as e:
            self.notify(f"日期：{e}", severity="warning", markup=False)
            return
        minutes = value("ho-minutes")
        people = {p.id for p in self.form.on_shift(self.shift)}
        self._saving = True
        try:
            saved = sitting_service.file_handover(
                zapp(self).store, self.form, day=day, shift=self.shift,
                leader_name=value("ho-leader"), topic=value("ho-topic"),
                minutes=int(minutes) if minutes.isdigit() else 0,
                attendee_ids=[i for i in self.ticked if i in people], today=zapp(self).today,
            )  # fmt: skip
        except DomainError as e:
            self.notify(str(e), severity="warning", markup=False, timeout=8)
            return
        finally:
            self._saving = False
        zapp(self).drafts.forget(WORKFLOW, self.form.branch.id)
        self.notify(
            f"已记录交接班活动：{saved.date.isoformat()} {saved.shift}，{len(saved.attendee_ids)} 人参加",
            markup=False,
        )
        self.app.pop_screen()

    def _leave_if(self, yes: bool | None) -> None:
        if yes:
            zapp(self).drafts.discard(WORKFLOW, self.form.branch.id)
            self.app.pop_screen()

    def action_back(self) -> None:
        if self.query_one("#ho-topic", Input).value.strip():
            from screens.meetings.dialogs import ConfirmDialog

            self.app.push_screen(
                ConfirmDialog(
                    "放弃这条交接班活动记录？", "已填写的主题和勾选将删除，不再留作草稿。"
                ),
                self._leave_if,
            )
            return
        zapp(self).drafts.discard(WORKFLOW, self.form.branch.id)
        self.app.pop_screen()


def open_handover(app: ZhibuAppBase, branch_id: str = "") -> None:
    """From 今日 (key j): the 三班倒 branch (asks which when there are several)."""
    from screens.dialogs import ChoicePrompt

    store = app.store

    def open_for(bid: str | None) -> None:
        if not bid:
            return
        now = dt.datetime.combine(app.today, dt.datetime.now().time())
        try:
            form = sitting_service.handover_form(store, bid, now)
        except DomainError as e:
            app.notify(str(e), severity="warning", markup=False)
            return
        app.push_screen(HandoverScreen(form))

    if branch_id:
        open_for(branch_id)
        return
    try:
        branches = sitting_service.handover_branches(store)
    except DomainError as e:
        app.notify(str(e), severity="warning", markup=False)
        return
    if not branches:
        app.notify("没有三班倒的支部。可在花名册按 b 设定支部的班次制度。", markup=False)
        return
    if len(branches) == 1:
        open_for(branches[0].id)
        return
    from services.accounts import current_viewer

    # A secretary files for their own branch: no prompt to swallow the topic
    # typed right after j.
    mine = current_viewer(store).branch_id
    if mine in {b.id for b in branches}:
        open_for(mine)
        return
    app.push_screen(
        ChoicePrompt("哪个支部的交接班活动？", [(b.id, b.name) for b in branches]), open_for
    )
