"""按程序开会: one meeting, section by section, saved as a draft as it goes."""

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
from textual.widgets import ContentSwitcher, Header, OptionList, Static
from textual.widgets.option_list import Option

from domain.make_up import MakeUpRecord
from domain.meeting_kinds import MeetingKind
from domain.meetings import (
    Meeting,
    failing_gates,
    make_up_items,
    quorum,
    validate_for_finish,
)
from domain.org import OrgKind
from domain.problems import Entry
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
from screens.meetings.sittings import SittingsPane, missing_brief
from services import meetings as meeting_service
from services import org_lookup
from services import problems as problem_service
from widgets.app_handle import zapp
from widgets.background_save import run_save
from widgets.footer import KeyFooter
from widgets.safe import content
from widgets.work_result import post_result

WORKFLOW = meeting_service.WORKFLOW
DIALOG_KEY = "_dialog"  # in the draft's raw values: the open dialog and its typed text
SECTIONS = (
    ("info", "1 基本信息", InfoPane),
    ("attendance", "2 签到", AttendancePane),
    ("steps", "3 程序", StepsPane),
    ("votes", "4 表决", VotesPane),
    ("elections", "5 选举", ElectionsPane),
    ("decisions", "6 决议", DecisionsPane),
    ("finish", "7 完成", FinishPane),
    ("sittings", "8 分场", SittingsPane),
)


class SectionNav(OptionList):
    BINDINGS = [Binding(str(i), f"go({i - 1})", show=False) for i in range(1, len(SECTIONS) + 1)]

    def action_go(self, index: int) -> None:
        if index < self.option_count:
            self.highlighted = index
            self.action_select()


class MeetingScreen(Screen[None]):
    BINDINGS = [
        Binding("f", "finish", "完成会议"),
        Binding("x", "export", "导出记录"),
        Binding("c", "correct", "更正"),
        # 民主评议党员: the members' 党员考核 scores of the year as input.
        Binding("s", "scores", "考核得分"),
        Binding("w", "problem", "登记问题", show=False),
        Binding("escape", "back", "返回"),
    ]

    def __init__(
        self,
        meeting: Meeting,
        *,
        raw: dict[str, Any] | None = None,
        section: str = "info",
        new: bool = False,
    ) -> None:
        super().__init__()
        self.meeting = meeting
        self._new = new
        self.restoring = True
        raw = dict(raw or {})
        # The dialog open when the draft was saved, with what was typed in it.
        dialog = raw.pop(DIALOG_KEY, None)
        self._dialog: dict[str, Any] | None = dialog if isinstance(dialog, dict) else None
        self._raw = raw
        self._section = section
        self._export_dir: Path | None = None
        # A save waiting for the lock (what it is doing, for the status line).
        self._pending: str | None = None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Only the keys that apply take room in the footer: 完成会议 while the
        # meeting is open, 更正 on a finished record or a correction draft (on
        # a plain draft it only said the draft can be edited directly).
        if action == "finish":
            return not self.meeting.finished
        if action == "correct":
            return self.meeting.finished or bool(self.meeting.supersedes_id)
        if action == "scores":
            return self.meeting.kind is MeetingKind.APPRAISAL
        return True

    def action_scores(self) -> None:
        from domain.navigation import Place
        from domain.periods import Period

        zapp(self).go(Place.ASSESSMENT, self.branch_id, period=Period.year(self.meeting.date.year))

    @property
    def branch_id(self) -> str:
        """The branch whose people are offered in pickers (a group's parent)."""
        unit = org_lookup.get_unit(zapp(self).store, self.meeting.org_id)
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
        yield KeyFooter()

    def on_mount(self) -> None:
        if self._raw:
            self.query_one(InfoPane).restore_raw(self._raw)
        self._reload_all()
        if not self.meeting.finished:
            self.apply(self.meeting)  # a new meeting or correction is a draft at once
        self.call_after_refresh(self._loaded)
        if self._new:
            # Just created: typing goes into the first field at once, and Esc
            # there steps back to the section list instead of leaving.
            pane = self.query_one(f"#{self._section}", Pane)
            pane.query(pane.FIRST_FOCUS).first().focus()
        else:
            self.query_one(SectionNav).focus()

    def _loaded(self) -> None:
        self.restoring = False
        if self._dialog and not self.meeting.finished:
            self._reopen_dialog(self._dialog)

    def _reopen_dialog(self, spec: dict[str, Any]) -> None:
        """Resume shows the dialog that was open, holding what was typed."""
        kind = spec.get("kind")
        pane_id = {"note": "steps", "skip": "steps", "speaker": "steps", "votes": "votes",
                   "elections": "elections", "decisions": "decisions"}.get(str(kind))  # fmt: skip
        if pane_id is None:
            return
        nav = self.query_one(SectionNav)
        ids = [nav.get_option_at_index(i).id for i in range(nav.option_count)]
        nav.highlighted = ids.index(pane_id)
        self.query_one(ContentSwitcher).current = pane_id
        pane = self.query_one(f"#{pane_id}", Pane)
        pane.load()
        pane.reopen_dialog(spec)

    # -- state -------------------------------------------------------------
    def apply(self, meeting: Meeting, *, raw: dict[str, str] | None = None) -> None:
        """Every change comes through here: keep it, save the draft, refresh."""
        if self.meeting.finished:
            self.notify("已完成的会议只读；按 c 生成更正版本", markup=False)
            return
        if self._held_back():
            return
        self.meeting = meeting
        if raw is not None:
            self._raw = raw
        self._save_draft()
        self._status()

    @on(Pane.MeetingEdit)
    def _pane_edit(self, event: Pane.MeetingEdit) -> None:
        event.stop()
        if self._held_back():
            event.pane.load()  # show what is kept, not what was refused
            return
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

    @on(Pane.DialogDraft)
    def _dialog_draft(self, event: Pane.DialogDraft) -> None:
        """A dialog's typed text (or None once it closed) goes into the draft as typed."""
        event.stop()
        if self.meeting.finished:
            return
        self._dialog = event.spec
        self._save_draft()

    def _held_back(self) -> bool:
        """While a save waits for the lock the record it writes must not
        change under it: say so instead (the keys still work elsewhere)."""
        if self._pending is None:
            return False
        self.notify(f"{self._pending}数据库忙时请稍候，完成后再修改", markup=False)
        return True

    def _save_draft(self) -> None:
        raw: dict[str, Any] = dict(self._raw)
        if self._dialog:
            raw[DIALOG_KEY] = self._dialog
        data = {"meeting": self.meeting.model_dump(mode="json"), "raw": raw}
        title = meeting_service.draft_title(self.meeting)
        zapp(self).drafts.touch(WORKFLOW, self.meeting.id, title, data)

    def _status(self) -> None:
        m = self.meeting
        q = quorum(m)
        state = "已完成（只读）" if m.finished else "进行中 · 草稿自动保存"
        if self._pending:
            state = self._pending
        # Split into sittings (a kind that takes no vote): coverage, not quorum.
        brief = missing_brief(m)
        mark = (
            (brief, "yellow")
            if brief
            else (("法定人数 ✓", "green") if q.ok else ("法定人数 ✗", "red"))
        )
        head = Text.assemble(
            (f"{m.kind} ", "bold"),
            f"{content(m.org_name).plain} {m.date.isoformat()}  ",
            mark,
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
        if self._held_back():
            return  # leaving now would drop the outcome of the waiting save
        if not isinstance(self.app.focused, SectionNav):
            self.query_one(SectionNav).focus()
            return
        zapp(self).drafts.flush()
        self.app.pop_screen()

    # -- finish / export / correct -------------------------------------------
    def action_finish(self) -> None:
        if self._held_back():
            return
        if self.meeting.finished:
            self.notify("会议已完成", markup=False)
            return
        problems = validate_for_finish(self.meeting)
        if problems:
            self._show_finish()
            gates = "；".join(f"⚑「{g.title}」✗ {g.reason}" for g in failing_gates(self.meeting))
            head = f"还不能完成：{gates}。" if gates else "还不能完成："
            self.notify(f"{head}共 {len(problems)} 处问题，见“7 完成”", severity="warning",
                        markup=False, timeout=8)  # fmt: skip
            return
        from screens.meetings.dialogs import ConfirmDialog

        m = self.meeting
        make_ups = len(make_up_items(m))
        body = "\n".join([
            "完成后本次会议记录锁定为只读：基本信息、签到、程序、表决、选举、决议和主持人总结"
            "都不能再修改，只能另行生成更正版本。",
            f"决议 {len(m.decisions)} 项列入首页跟踪；请假、缺席的党员生成补学事项 {make_ups} 人。",
            "主持人总结：" + ("已填写" if m.summary.strip() else "未填写"),
        ])  # fmt: skip

        def answered(yes: bool | None) -> None:
            if yes:
                self._finish()

        self.app.push_screen(ConfirmDialog("完成会议并锁定记录？", body), answered)

    def _finish(self) -> None:
        if self._pending:
            return  # a second f/y while the finish waits must not finish twice
        ref = zapp(self).drafts.ref(WORKFLOW, self.meeting.id)
        store = zapp(self).store
        meeting = self.meeting
        # 接收/转正: the stage it records is dated by the file's [rules.development].
        rules = zapp(self).settings.rules.development if meeting.candidate_id else None
        self._pending = "正在完成会议…"
        self._status()

        def refused(e: Exception) -> None:
            self._pending = None
            self._status()
            if isinstance(e, meeting_service.NotReady):
                self._show_finish()
                self.notify(
                    f"还不能完成：共 {len(e.problems)} 处问题，见“7 完成”",
                    severity="warning",
                    markup=False,
                )
                return
            message = zapp(self).drafts.refused_message(str(e))
            self.notify(message, severity="error", markup=False, timeout=10)

        def done(saved: Meeting) -> None:
            self._pending = None
            zapp(self).drafts.forget(WORKFLOW, meeting.id)
            self.meeting = saved
            self._dialog = None
            self.refresh_bindings()  # 完成会议 leaves the footer, 更正 joins it
            self._reload_all()
            self._show_finish()
            self.notify("会议已完成并保存。按 x 导出会议记录。", markup=False)

        # Waiting for another process's lock happens off the UI thread
        # (docs/RELIABILITY.md, R7); edits are held back until it is done.
        run_save(
            self, store,
            lambda: meeting_service.finish_meeting(store, meeting, draft=ref, development=rules),
            done, refused,
        )  # fmt: skip

    def _show_finish(self) -> None:
        nav = self.query_one(SectionNav)
        ids = [nav.get_option_at_index(i).id for i in range(nav.option_count)]
        nav.highlighted = ids.index("finish")
        self.query_one(ContentSwitcher).current = "finish"
        self.query_one(FinishPane).load()

    def action_problem(self) -> None:
        """File a 问题清单 entry found in this meeting (source 会议)."""
        from screens.loop.problems import ProblemForm

        m = self.meeting

        def filed(_saved: object) -> None:
            self._reload_all()

        source = f"{m.date.isoformat()} {m.kind}"
        self.app.push_screen(
            ProblemForm(self.branch_id, meeting_id=m.id, source_text=source, found_on=m.date),
            filed,
        )

    def action_export(self) -> None:
        if not self.meeting.finished:
            self.notify("会议完成后才能导出正式记录", markup=False)
            return
        out = meeting_service.default_export_dir()
        self.notify("正在导出会议记录…", markup=False)
        # Read on this thread: the minutes count the 补学 recorded so far.
        make_ups = meeting_service.make_ups_of(zapp(self).store, self.meeting.id)
        carried = problem_service.carried_for(zapp(self).store, self.meeting, zapp(self).today)
        self._export(self.meeting, out, make_ups, carried)

    class Exported(Message):
        def __init__(self, path: Path) -> None:
            super().__init__()
            self.path = path

    @work(thread=True, exclusive=True, group="export")
    def _export(
        self, meeting: Meeting, out_dir: Path, make_ups: list[MakeUpRecord], carried: list[Entry]
    ) -> None:
        # A failure is the app's to report (tui.app.ZhibuApp._worker_failed).
        path = meeting_service.export_meeting(meeting, out_dir, make_ups, carried=carried)
        post_result(self, self.Exported(path))

    @on(Exported)
    def _exported(self, event: Exported) -> None:
        self.notify(f"已导出：{zapp(self).exported(event.path)}", markup=False, timeout=15)

    def action_correct(self) -> None:
        from screens.meetings.dialogs import ConfirmDialog

        if self._held_back():
            return
        m = self.meeting
        store = zapp(self).store
        if not m.finished:
            if m.supersedes_id:
                self.app.push_screen(
                    ConfirmDialog(
                        "放弃这次更正？",
                        f"更正版本（第{m.revision}版）的草稿将删除，原记录保持不变；"
                        "放弃后这条记录可以重新更正。",
                    ),
                    lambda yes: self._abandon() if yes else None,
                )
            else:
                self.notify("草稿可以直接修改", markup=False)
            return
        busy = meeting_service.correction_in_progress(store, m.id)
        if busy is not None:
            who, when = busy
            self.notify(f"{who} 已于 {when} 开始更正这条记录；在其完成或放弃之前不能再次更正。",
                        severity="warning", markup=False, timeout=10)  # fmt: skip
            return
        body = (
            f"原记录（第{m.revision}版）保留不变、仍然只读；更正在新的第{m.revision + 1}版草稿中进行。\n"
            "在更正完成或放弃之前，这条记录被锁定：其他人不能再开始更正。\n"
            "更正版本完成后取代原记录，原记录未办结的决议、补学事项由新版本重新生成。"
        )
        self.app.push_screen(
            ConfirmDialog("生成更正版本？", body), lambda yes: self._correct() if yes else None
        )

    def _correct(self) -> None:
        if self._pending:
            return
        store = zapp(self).store
        mid = self.meeting.id
        self._pending = "正在生成更正版本…"
        self._status()

        def refused(e: Exception) -> None:  # CorrectionConflict names who and when
            self._pending = None
            self._status()
            self.notify(str(e), severity="error", markup=False, timeout=10)

        def done(draft: Meeting) -> None:
            self._pending = None
            self.app.switch_screen(MeetingScreen(draft))
            self.notify(f"已生成更正版本（第{draft.revision}版；原记录保留）", markup=False)

        run_save(self, store, lambda: meeting_service.open_correction(store, mid), done, refused)

    def _abandon(self) -> None:
        if self._pending:
            return
        m = self.meeting
        store = zapp(self).store
        self._pending = "正在放弃更正…"
        self._status()

        def abandon() -> Meeting | None:
            meeting_service.abandon_correction(store, m.id)
            return meeting_service.get_meeting(store, m.supersedes_id or "")

        def refused(e: Exception) -> None:
            self._pending = None
            self._status()
            self.notify(str(e), severity="error", markup=False, timeout=10)

        def done(original: Meeting | None) -> None:
            self._pending = None
            zapp(self).drafts.forget(WORKFLOW, m.id)  # its transaction deleted the row
            self.notify("已放弃更正，原记录保持不变", markup=False)
            if original is None:
                self.app.pop_screen()
            else:
                self.app.switch_screen(MeetingScreen(original))

        # The draft row goes in the same transaction: a refusal keeps both.
        run_save(self, store, abandon, done, refused)


def status_line(meeting: Meeting) -> Text:
    return attendance_text(meeting)
