"""按程序开会: one meeting, section by section, saved as a draft as it goes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Header, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from domain.meetings import Meeting, MeetingNotReady, correction, finish, quorum
from domain.org import OrgKind
from screens.meetings.panes import (
    AttendancePane,
    DecisionsPane,
    ElectionsPane,
    FinishPane,
    InfoPane,
    Pane,
    StepsPane,
    VotesPane,
    attendance_text,
)
from storage import meetings as meeting_store
from storage import org
from storage.errors import StorageError
from widgets.app_handle import zapp
from widgets.safe import content

WORKFLOW = meeting_store.WORKFLOW
SECTIONS = (
    ("info", "1 基本信息", InfoPane),
    ("attendance", "2 签到", AttendancePane),
    ("steps", "3 程序", StepsPane),
    ("votes", "4 表决", VotesPane),
    ("elections", "5 选举", ElectionsPane),
    ("decisions", "6 决议", DecisionsPane),
    ("finish", "7 完成", FinishPane),
)


class SectionNav(OptionList):
    BINDINGS = [Binding(str(i), f"go({i - 1})", show=False) for i in range(1, 8)]

    def action_go(self, index: int) -> None:
        if index < self.option_count:
            self.highlighted = index
            self.action_select()


class MeetingScreen(Screen[None]):
    BINDINGS = [
        Binding("f", "finish", "完成会议"),
        Binding("x", "export", "导出记录"),
        Binding("c", "correct", "更正"),
        Binding("escape", "back", "返回"),
    ]

    def __init__(
        self, meeting: Meeting, *, raw: dict[str, Any] | None = None, section: str = "info"
    ) -> None:
        super().__init__()
        self.meeting = meeting
        self.restoring = True
        self._raw = raw or {}
        self._section = section
        self._export_dir: Path | None = None

    @property
    def branch_id(self) -> str:
        """The branch whose people are offered in pickers (a group's parent)."""
        unit = org.get(zapp(self).store, self.meeting.org_id)
        if unit and unit.kind is OrgKind.GROUP and unit.parent_id:
            return unit.parent_id
        return self.meeting.org_id

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="meeting-status")
        with Horizontal():
            nav = SectionNav(id="meeting-nav", markup=False)
            for key, label, _cls in SECTIONS:
                nav.add_option(Option(label, id=key))
            yield nav
            with ContentSwitcher(initial=self._section, id="meeting-panes"):
                for key, _label, cls in SECTIONS:
                    yield cls(id=key)
        yield Footer()

    def on_mount(self) -> None:
        if self._raw:
            self.query_one(InfoPane).restore_raw(self._raw)
        self._reload_all()
        if not self.meeting.finished:
            self.apply(self.meeting)  # a new meeting or correction is a draft at once
        self.call_after_refresh(self._loaded)
        self.query_one(SectionNav).focus()

    def _loaded(self) -> None:
        self.restoring = False

    # -- state -------------------------------------------------------------
    def apply(self, meeting: Meeting, *, raw: dict[str, str] | None = None) -> None:
        """Every change comes through here: keep it, save the draft, refresh."""
        if self.meeting.finished:
            self.notify("已完成的会议只读；按 c 生成更正版本", markup=False)
            return
        self.meeting = meeting
        if raw is not None:
            self._raw = raw
        data = {"meeting": meeting.model_dump(mode="json"), "raw": self._raw}
        zapp(self).drafts.touch(WORKFLOW, meeting.id, meeting_store.draft_title(meeting), data)
        self._status()

    @on(Pane.MeetingEdit)
    def _pane_edit(self, event: Pane.MeetingEdit) -> None:
        event.stop()
        try:
            meeting = event.change(self.meeting)
        except ValueError as e:
            if not event.refusable:
                raise
            self.notify(str(e), severity="warning", markup=False)
        else:
            self.apply(meeting, raw=event.raw)
        if event.reload:
            event.pane.load()

    def _status(self) -> None:
        m = self.meeting
        q = quorum(m)
        state = "已完成（只读）" if m.finished else "进行中 · 草稿自动保存"
        head = Text.assemble(
            (f"{m.kind} ", "bold"),
            f"{content(m.org_name).plain} {m.date.isoformat()}  ",
            ("法定人数 ✓" if q.ok else "法定人数 ✗", "green" if q.ok else "red"),
            f"  {state}",
        )
        self.query_one("#meeting-status", Static).update(head)

    def _reload_all(self) -> None:
        for pane in self.query(Pane):
            pane.load()
        self._status()

    # -- navigation ----------------------------------------------------------
    @on(OptionList.OptionSelected, "#meeting-nav")
    def _go(self, event: OptionList.OptionSelected) -> None:
        key = event.option.id or "info"
        self.query_one(ContentSwitcher).current = key
        pane = self.query_one(f"#{key}", Pane)
        pane.load()
        target = pane.query(pane.FIRST_FOCUS).first()
        self.call_after_refresh(target.focus)

    def action_back(self) -> None:
        if not isinstance(self.app.focused, SectionNav):
            self.query_one(SectionNav).focus()
            return
        zapp(self).drafts.flush()
        self.app.pop_screen()

    # -- finish / export / correct -------------------------------------------
    def action_finish(self) -> None:
        if self.meeting.finished:
            self.notify("会议已完成", markup=False)
            return
        try:
            done = finish(self.meeting, dt.datetime.now().replace(microsecond=0))
        except MeetingNotReady as e:
            self._show_finish()
            self.notify(
                f"还不能完成：共 {len(e.problems)} 处问题，见“7 完成”",
                severity="warning",
                markup=False,
            )
            return
        try:
            ref = zapp(self).drafts.ref(WORKFLOW, self.meeting.id)
            saved = meeting_store.save_final(zapp(self).store, done, draft=ref)
        except StorageError as e:
            message = zapp(self).drafts.refused_message(str(e))
            self.notify(message, severity="error", markup=False, timeout=10)
            return
        zapp(self).drafts.forget(WORKFLOW, self.meeting.id)
        self.meeting = saved
        self._reload_all()
        self._show_finish()
        self.notify("会议已完成并保存。按 x 导出会议记录。", markup=False)

    def _show_finish(self) -> None:
        nav = self.query_one(SectionNav)
        ids = [nav.get_option_at_index(i).id for i in range(nav.option_count)]
        nav.highlighted = ids.index("finish")
        self.query_one(ContentSwitcher).current = "finish"
        self.query_one(FinishPane).load()

    def action_export(self) -> None:
        if not self.meeting.finished:
            self.notify("会议完成后才能导出正式记录", markup=False)
            return
        out = Path(zapp(self).db_path).parent / "exports"
        self.notify("正在导出会议记录…", markup=False)
        self._export(self.meeting, out)

    @work(thread=True, exclusive=True, group="export")
    def _export(self, meeting: Meeting, out_dir: Path) -> Path:
        from exports.minutes import export
        from storage.paths import ensure_private_dir

        ensure_private_dir(out_dir)
        return export(meeting, out_dir)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "export":
            return
        # A failure is the app's to report (tui.app.ZhibuApp._worker_failed).
        if event.worker.state is WorkerState.SUCCESS:
            self.notify(f"已导出：{event.worker.result}", markup=False, timeout=10)

    def action_correct(self) -> None:
        if not self.meeting.finished:
            self.notify("草稿可以直接修改", markup=False)
            return
        draft = correction(self.meeting)
        self.app.switch_screen(MeetingScreen(draft))
        self.notify("已生成更正版本（原记录保留）", markup=False)


def status_line(meeting: Meeting) -> Text:
    return attendance_text(meeting)
