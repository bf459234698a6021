"""一人一事 timeline: the case, its flags, and every contact, escalation and
status change in date order, with a key for each next step.

Private cases the viewer may not see (not the branch secretary, not the
responsible member) show only that the case exists, its status and due
date; the timeline and every action key are withheld. Opening a private
case in full is written to the audit log.
"""

from __future__ import annotations

from datetime import date, datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from domain import followups as fx
from domain.dates import format_date
from domain.followups import ACTIVE_STATUSES, FollowUp, FollowUpConfig, Status
from screens.followups.form import current_viewer
from screens.followups.step import Step
from services import followups as fu_service
from services import private_details
from services.accounts import Viewer
from services.roster import get_person
from widgets.app_handle import zapp
from widgets.footer import KeyFooter
from widgets.safe import content, text

PRIVATE_NOTE = "保密事项：详情仅支部书记和责任人可见。"

# Action → the statuses it applies to; check_action hides the rest.
_STEP_ACTIONS: dict[str, tuple[Step, frozenset[Status]]] = {
    "escalate": (Step.ESCALATE, ACTIVE_STATUSES),
    "resolve": (Step.RESOLVE, ACTIVE_STATUSES),
    "return_visit": (Step.RETURN_VISIT, frozenset({Status.RESOLVED})),
    "close_case": (Step.CLOSE, frozenset({Status.VISITED})),
    "reopen": (Step.REOPEN, frozenset({Status.RESOLVED, Status.VISITED, Status.CLOSED})),
    "long_term": (
        Step.LONG_TERM,
        frozenset({Status.TODO, Status.IN_PROGRESS, Status.ESCALATED}),
    ),
}


def timeline_rows(fu: FollowUp) -> list[tuple[date, str, str, str]]:
    """(date, what, who, text) for every entry, oldest first, starting with
    the finding itself. Entries of one day follow the time they were entered;
    ones entered before entries had a time keep their recorded order (and
    come before the timed ones of that day)."""
    Entry = tuple[date, tuple[int, str], str, str, str]
    entries: list[Entry] = [
        (
            fu.found_on,
            (-1, ""),
            "发现",
            "",
            f"{fu.source}：{fu.description.replace(chr(10), ' ').strip()}",
        )
    ]

    def stamp(at: datetime | None) -> tuple[int, str]:
        return (0, "") if at is None else (1, at.isoformat())

    for c in fu.contacts:
        what = "回访" if c.return_visit else str(c.method)
        parts = [c.content.replace("\n", " ").strip()]
        if c.place:
            parts.insert(0, f"地点：{c.place}")
        if c.attitude:
            parts.append(f"态度：{c.attitude}")
        if c.help_given:
            parts.append(f"帮扶：{c.help_given.replace(chr(10), ' ').strip()}")
        entries.append((c.on, stamp(c.at), what, c.by_name, "；".join(p for p in parts if p)))
    for e in fu.escalations:
        entries.append((e.on, stamp(e.at), "上报", e.by_name, f"上报{e.to_whom}：{e.reason}"))
    for s in fu.status_changes:
        note = f"：{s.note}" if s.note else ""
        body = f"{s.from_status} → {s.to_status}{note}"
        entries.append((s.on, stamp(s.at), "状态", s.by_name, body))
    entries.sort(key=lambda e: (e[0], e[1]))  # stable: untimed ones keep their order
    return [(d, what, who, body) for d, _, what, who, body in entries]


class FollowupTimelineScreen(Screen[None]):
    BINDINGS = [
        Binding("c", "contact", "记录谈话"),
        Binding("u", "escalate", "上报"),
        Binding("s", "resolve", "办结"),
        Binding("v", "return_visit", "回访"),
        Binding("k", "close_case", "销号"),
        Binding("o", "reopen", "重新打开"),
        Binding("l", "long_term", "长期跟踪", show=False),
        Binding("escape", "back", "返回"),
    ]

    def __init__(self, fu_id: str, *, resume: str = "") -> None:
        """*resume*: "contact" or a Step name, to reopen that form's draft."""
        super().__init__()
        self.fu_id = fu_id
        self._resume = resume
        self.fu: FollowUp | None = None
        self.full = False  # the viewer may see details and act
        self.viewer: Viewer | None = None
        self._logged = False
        self._rows: list[tuple[date, str, str, str]] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="tl-head")
        yield Static(id="tl-flags")
        yield DataTable(id="tl-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="tl-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("日期", key="on", width=10)
        table.add_column("事项", key="what", width=4)
        table.add_column("经办", key="who", width=8)
        # A fixed width: at its natural width a long entry scrolled the table
        # sideways at 80 columns; the whole entry shows below (#tl-detail).
        table.add_column("内容", key="body", width=46)
        self.reload()
        table.focus()
        if self._resume == "contact":
            if self.check_action("contact", ()):
                self.action_contact()
        elif self._resume in Step.__members__:
            self.open_step(Step[self._resume])

    # -- data --------------------------------------------------------------
    def reload(self) -> None:
        store = zapp(self).store
        self.viewer = current_viewer(zapp(self))
        fu = private_details.one(store, self.fu_id, private_details.reader(store))
        if fu is None:
            self.fu = None
            self.query_one("#tl-head", Static).update(content("这条一人一事记录已不存在。"))
            self.refresh_bindings()
            return
        self.fu = fu
        self.full = not fu.is_redacted
        if fu.private and self.full and not self._logged:
            private_details.log_view(store, fu)
            self._logged = True
        self._show_head(fu)
        self._show_table(fu)
        self.refresh_bindings()

    def _show_head(self, fu: FollowUp) -> None:
        store = zapp(self).store
        today: date = zapp(self).today
        nxt = format_date(fu.next_contact) or "—"
        head = Text(no_wrap=False)
        if self.full:
            person = get_person(store, fu.person_id)
            post = "/".join(x for x in (person.team, person.job) if x) if person else ""
            head.append(fu.person_name, style="bold")
            if post:
                head.append(f"（{post}）")
            head.append(f"  {fu.trigger_text}  ［{fu.category}］")
            if fu.private:
                head.append("  保密", style="bold")
            if fu.is_bangjiao:
                head.append("  帮教")
            head.append("\n")
        else:
            head.append(PRIVATE_NOTE + "\n", style="bold")
        head.append(f"{fu.level}级 · {fu.status} · 责任人 {fu.responsible_name} · ")
        head.append(f"发现 {format_date(fu.found_on)} · 下次联系 {nxt}")
        if self.full and fu.description.strip():
            head.append("\n问题：" + fu.description.replace("\n", " ").strip())
        if self.full and fu.outcome.strip():
            head.append("\n结果：" + fu.outcome.replace("\n", " ").strip())
        self.query_one("#tl-head", Static).update(head)
        cfg = fu_service.branch_config(store, fu.branch_id, zapp(self).settings.rules.followups)
        warnings = fx.flags(fu, today, cfg) if self.full else []
        if not self.full and fx.days_overdue(fu, today):
            warnings = [f"已逾期{fx.days_overdue(fu, today)}天"]
        flags = self.query_one("#tl-flags", Static)
        flags.update(content("；".join(f"⚠ {w}" for w in warnings)))
        flags.display = bool(warnings)

    def _show_table(self, fu: FollowUp) -> None:
        table = self.query_one(DataTable)
        table.clear()
        rows = timeline_rows(fu) if self.full else []
        for i, (d, what, who, body) in enumerate(rows):
            table.add_row(text(format_date(d)), text(what), text(who), text(body), key=str(i))
        self._rows = rows
        if rows:
            table.move_cursor(row=len(rows) - 1)  # the latest entry
        if self.full and not fu.contacts and fu.status in ACTIVE_STATUSES:
            self.query_one("#tl-detail", Static).update(
                content("尚无谈话记录。按 c 记录第一次谈话。")
            )

    @on(DataTable.RowHighlighted, "#tl-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        idx = int(str(event.row_key.value))
        if 0 <= idx < len(self._rows):
            d, what, who, body = self._rows[idx]
            self.query_one("#tl-detail", Static).update(
                # No space after the date: the wrap would break the line there.
                content(
                    f"{format_date(d)}｜{what}{f'（{who}）' if who else ''}：{body}", multiline=True
                )
            )

    # -- actions -----------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "contact":
            return self._may_act() and self.fu is not None and self.fu.status in ACTIVE_STATUSES
        if action in _STEP_ACTIONS:
            _, statuses = _STEP_ACTIONS[action]
            return self._may_act() and self.fu is not None and self.fu.status in statuses
        return True

    def _may_act(self) -> bool:
        return self.fu is not None and self.full

    def _after(self, result: FollowUp | None) -> None:
        if result is not None:
            self.reload()

    def _config(self) -> FollowUpConfig:
        assert self.fu is not None
        app = zapp(self)
        return fu_service.branch_config(app.store, self.fu.branch_id, app.settings.rules.followups)

    def _full_record(self) -> FollowUp | None:
        """The stored record (not a redacted copy) to act on."""
        if not self._may_act():
            return None
        store = zapp(self).store
        return private_details.to_act_on(store, self.fu_id, private_details.reader(store))

    def action_contact(self) -> None:
        from screens.followups.contact import ContactForm

        fu = self._full_record()
        if fu is not None:
            self.app.push_screen(ContactForm(fu, self._config()), self._after)

    def _step(self, action: str) -> None:
        from screens.followups.step import StepForm

        fu = self._full_record()
        if fu is not None:
            step, _ = _STEP_ACTIONS[action]
            self.app.push_screen(StepForm(fu, step, self._config()), self._after)

    def action_escalate(self) -> None:
        self._step("escalate")

    def action_resolve(self) -> None:
        self._step("resolve")

    def action_return_visit(self) -> None:
        self._step("return_visit")

    def action_close_case(self) -> None:
        self._step("close_case")

    def action_reopen(self) -> None:
        self._step("reopen")

    def action_long_term(self) -> None:
        self._step("long_term")

    def open_step(self, step: Step) -> None:
        """Open a step form directly (resuming a draft from the home screen)."""
        for action, (s, _) in _STEP_ACTIONS.items():
            if s is step and self.check_action(action, ()):
                self._step(action)

    def action_back(self) -> None:
        self.app.pop_screen()
