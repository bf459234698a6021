"""新建会议: kind, branch or group, date; the rest is filled in on the meeting."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Select, Static

from domain.dates import DateParseError
from domain.meeting_kinds import MeetingKind
from domain.meetings import Meeting
from domain.org import OrgKind
from services import meetings as meeting_service
from services import org_lookup
from widgets.app_handle import zapp
from widgets.date_input import DateInput
from widgets.safe import content, text


class NewMeetingScreen(ModalScreen[Meeting | None]):
    BINDINGS = [
        Binding("ctrl+s", "create", "开始", priority=True),
        Binding("escape", "cancel", "取消"),
    ]

    def __init__(
        self, *, kind: MeetingKind = MeetingKind.MEMBER_ASSEMBLY, org_id: str | None = None
    ) -> None:
        super().__init__(classes="dialog")
        self._kind, self._org_id = kind, org_id

    def compose(self) -> ComposeResult:
        self._units = org_lookup.all_units(zapp(self).store)
        with Vertical(classes="dialog-box"):
            yield Static("新建会议（Ctrl+S 开始，Esc 取消）", classes="dialog-title")
            with Horizontal(classes="row"):
                yield Label("会议类型")
                yield Select([(k.value, k.value) for k in MeetingKind], value=self._kind.value,
                             allow_blank=False, id="n-kind", compact=True)  # fmt: skip
            with Horizontal(classes="row"):
                yield Label("支部/小组")
                yield Select([], id="n-org", prompt="（选择）", compact=True)
            with Horizontal(classes="row"):
                yield Label("日期")
                yield DateInput(zapp(self).today, id="n-date", compact=True)
            yield Static(id="n-error", classes="dialog-result")

    def on_mount(self) -> None:
        self._fill_orgs()
        self.query_one("#n-kind", Select).focus()

    def _fill_orgs(self) -> None:
        # str(): #n-kind has allow_blank=False, so its value is never Select.BLANK.
        kind = MeetingKind(str(self.query_one("#n-kind", Select).value))
        want = OrgKind.GROUP if kind is MeetingKind.GROUP else OrgKind.BRANCH
        names = {u.id: u.name for u in self._units}
        options = []
        for u in self._units:
            if u.kind is want:
                label = (
                    f"{names.get(u.parent_id or '', '')} / {u.name}"
                    if want is OrgKind.GROUP
                    else u.name
                )
                options.append((text(label), u.id))
        sel = self.query_one("#n-org", Select)
        sel.set_options(options)
        if self._org_id and any(v == self._org_id for _l, v in options):
            sel.value = self._org_id
        elif options:
            sel.value = options[0][1]

    @on(Select.Changed, "#n-kind")
    def _kind_changed(self) -> None:
        self._fill_orgs()

    def action_create(self) -> None:
        err = self.query_one("#n-error", Static)
        sel = self.query_one("#n-org", Select)
        if sel.is_blank():
            err.update(content("请选择支部或党小组"))
            return
        try:
            day = self.query_one("#n-date", DateInput).date_value
        except DateParseError as e:
            err.update(content(str(e)))
            return
        if day is None:
            err.update(content("请填写日期"))
            return
        kind = MeetingKind(str(self.query_one("#n-kind", Select).value))
        unit = next(u for u in self._units if u.id == sel.value)
        app = zapp(self)
        rules = app.settings.rules.meetings  # the config file's [rules.meetings]
        self.dismiss(meeting_service.start_meeting(app.store, kind, unit, day, rules=rules))

    def action_cancel(self) -> None:
        self.dismiss(None)
