"""The app shell: screens, global keys, drafts, hang-up and crash handling."""

from __future__ import annotations

import asyncio
import signal
from datetime import date
from pathlib import Path

from rich.text import Text
from textual.app import App
from textual.binding import Binding

from screens.dues_actions import OVERSIGHT_PALETTE, OversightActions
from screens.followup_actions import FOLLOWUP_PALETTE, FollowupActions
from storage.db import Store, open_store
from tui.commands import ZhibuCommands
from tui.crash import write_crash_log
from tui.draft_keeper import DraftKeeper
from widgets.safe import plain

APP_TITLE = "支部工作台"


CSS_DIR = Path(__file__).parent / "css"


class ZhibuApp(FollowupActions, OversightActions, App[None]):
    TITLE = APP_TITLE
    # app.tcss plus one file per workflow in tui/css/ (kept apart so workflows
    # can be styled without touching each other's rules).
    CSS_PATH = [Path(__file__).parent / "app.tcss", *sorted(CSS_DIR.glob("*.tcss"))]
    COMMANDS = App.COMMANDS | {ZhibuCommands}
    COMMAND_PALETTE_BINDING = "ctrl+p"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("f1,question_mark", "help", "帮助", key_display="?"),
        Binding("ctrl+p", "command_palette", "命令", show=False, priority=True),
        Binding("ctrl+q", "quit", "退出", priority=True),
        Binding("escape", "back", "返回", show=False),
    ]

    def __init__(self, db_path: Path, store: Store, *, today: date | None = None) -> None:
        super().__init__()
        # A blinking cursor repaints twice a second: ~1.8 KB/s per idle SSH
        # session for nothing (reliability-security.md §2.8). Text areas are
        # all LimitedTextArea, which does not blink either; importing TextArea
        # here would cost every start 6 ms.
        from textual.widgets import Input

        Input.cursor_blink = False  # type: ignore[assignment]
        self.db_path = db_path
        self.store = store
        self.freeze_heap_after_warm_up = False  # see screens.home._import_workflows
        self._today = today
        self.drafts = DraftKeeper(store, self.set_timer)
        # A file name is user data too: no markup, no control characters.
        self.sub_title = plain(str(db_path))

    # -- time --------------------------------------------------------------
    @property
    def today(self) -> date:
        return self._today or date.today()

    # -- lifecycle ---------------------------------------------------------
    def on_mount(self) -> None:
        from screens.home import HomeScreen

        try:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGHUP, signal.SIGTERM):
                loop.add_signal_handler(sig, self._on_hangup)
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # not the main thread (tests) or no signals here
        self.push_screen(HomeScreen())

    def _on_hangup(self) -> None:
        """SSH dropped or killed: save drafts, exit; a watchdog ends a stuck loop."""
        signal.alarm(5)
        self.drafts.flush()
        self.exit(return_code=129)

    async def action_quit(self) -> None:
        self.drafts.flush()
        self.exit()

    def on_unmount(self) -> None:
        self.drafts.flush()

    def _handle_exception(self, error: Exception) -> None:
        """Never show a traceback (it prints locals, i.e. personal data)."""
        try:
            self.drafts.flush()
            log = write_crash_log(self.db_path, error)
            where = f"记录在 {log}"
        except Exception:  # noqa: BLE001
            where = "未能写入日志"
        if self._exception is None:  # lets Pilot tests see the error, as Textual does
            self._exception = error
            self._exception_event.set()
        self.exit(
            return_code=70,
            message=Text(
                f"支部工作台遇到意外错误（{type(error).__name__}）已退出，{where}。"
                "已输入的内容保存在草稿中，重新打开后可在首页继续。"
            ),
        )

    # -- actions -----------------------------------------------------------
    def do(self, action: str) -> None:
        """Run an action string from sync code (run_action is a coroutine)."""
        self.call_later(self.run_action, action)

    def action_help(self) -> None:
        from screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))

    def action_back(self) -> None:
        if len(self.screen_stack) > 2:
            self.pop_screen()

    def action_go_home(self) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()

    def action_open_roster(self) -> None:
        from screens.roster import RosterScreen

        self.action_go_home()
        self.push_screen(RosterScreen())

    def action_add_person(self) -> None:
        from screens.person_form import PersonForm

        self.push_screen(PersonForm(None))

    def action_import_people(self) -> None:
        from screens.import_people import ImportPeopleScreen

        self.push_screen(ImportPeopleScreen())

    # -- meetings ----------------------------------------------------------
    def action_new_meeting(self, kind: str = "", org_id: str = "") -> None:
        from domain.meeting_kinds import MeetingKind
        from screens.meeting_new import NewMeetingScreen

        def created(meeting) -> None:  # type: ignore[no-untyped-def]
            if meeting is not None:
                self.open_meeting_screen(meeting)

        screen = NewMeetingScreen(
            kind=MeetingKind(kind) if kind else MeetingKind.MEMBER_ASSEMBLY, org_id=org_id or None
        )
        self.push_screen(screen, created)

    def open_meeting_screen(self, meeting, raw: dict | None = None) -> None:  # type: ignore[no-untyped-def]
        from screens.meeting_run import MeetingScreen

        self.push_screen(MeetingScreen(meeting, raw=raw))

    def action_open_meeting(self, meeting_id: str) -> None:
        from storage import meetings

        meeting = meetings.get(self.store, meeting_id)
        if meeting is None:
            self.notify("找不到这次会议", markup=False)
            return
        self.open_meeting_screen(meeting)

    def resume_meeting_draft(self, meeting_id: str) -> None:
        from domain.meetings import Meeting

        data = self.drafts.load("meeting", meeting_id)
        if not data:
            self.notify("草稿已不存在", markup=False)
            return
        self.open_meeting_screen(Meeting.model_validate(data["meeting"]), raw=data.get("raw"))

    def action_open_meetings(self) -> None:
        from screens.meetings_list import MeetingsScreen

        self.action_go_home()
        self.push_screen(MeetingsScreen())

    def action_open_action(self, item_id: str) -> None:
        from screens.action_item import ActionItemScreen

        self.push_screen(ActionItemScreen(item_id))

    # -- lecture rota --------------------------------------------------------
    def action_open_rota(self, plan_id: str = "") -> None:
        from screens.rota_plan import RotaPlanScreen

        self.push_screen(RotaPlanScreen(plan_id or None))

    def action_new_rota(self, org_id: str = "") -> None:
        from screens.rota_wizard import RotaWizardScreen

        self.push_screen(RotaWizardScreen(org_id or None))

    def action_open_lecture(self, lecture_id: str) -> None:
        from screens.lecture_review import LectureReviewScreen

        self.push_screen(LectureReviewScreen(lecture_id))

    def action_start_lecture_meeting(self, lecture_id: str) -> None:
        """Open the 党课 meeting for a rota lecture, pre-filled."""
        from domain.meeting_kinds import MeetingKind
        from domain.meetings import new_meeting
        from storage import org, people, rota

        lecture = rota.get_lecture(self.store, lecture_id)
        if lecture is None:
            self.notify("找不到这次党课", markup=False)
            return
        if lecture.meeting_id:
            self.action_open_meeting(lecture.meeting_id)
            return
        lecturer = people.get(self.store, lecture.lecturer_id) if lecture.lecturer_id else None
        branch = (
            org.get(self.store, lecturer.branch_id) if lecturer and lecturer.branch_id else None
        )
        if branch is None:
            self.notify("授课人不在任何支部，无法确定会议所属支部", markup=False)
            return
        meeting = new_meeting(
            MeetingKind.LECTURE, branch.id, branch.name, lecture.lecture_date,
            people=people.members_of(self.store, branch.id),
        )  # fmt: skip
        secretary = people.secretary_of(self.store, branch.id)
        meeting = meeting.model_copy(
            update={
                "topics": [lecture.topic or "党课"],
                "place": lecture.place,
                "lecturer_id": lecturer.id if lecturer else None,
                "lecturer_name": lecture.lecturer_name,
                "lecture_id": lecture.id,
                "title": f"党课：{lecture.topic}" if lecture.topic else "",
                "chair_id": secretary.id if secretary else None,
                "chair_name": secretary.name if secretary else "",
            }
        )
        self.open_meeting_screen(meeting)

    def palette_commands(self) -> list[tuple[str, str, str]]:
        return [
            ("党课计划", "轮讲计划、课件审核状态，导出党课计划表", "open_rota"),
            ("新建党课轮讲计划", "选周期与授课人，排出轮讲方案", "new_rota"),
            ("新建会议", "按程序开会：签到、程序清单、表决、决议", "new_meeting"),
            ("会议记录", "已完成的会议，导出会议记录", "open_meetings"),
            ("今日 首页", "回到首页：待办、各支部、草稿", "go_home"),
            ("花名册", "组织树与人员，拼音搜索", "open_roster"),
            ("新增人员", "打开人员表单", "add_person"),
            ("导入人员", "从 .csv / .xlsx 导入", "import_people"),
            *FOLLOWUP_PALETTE,
            *OVERSIGHT_PALETTE,
            ("帮助", "本屏所有按键", "help"),
            ("退出", "保存草稿并退出", "quit"),
        ]


def make_app(db_path: Path, *, store: Store | None = None, today: date | None = None) -> ZhibuApp:
    """Build the app from explicit paths (the CLI and tests both use this)."""
    db_path = Path(db_path)
    return ZhibuApp(db_path, store or open_store(db_path), today=today)
