"""The app shell: screens, global keys, drafts, hang-up and crash handling."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.worker import NoActiveWorker, WorkerFailed, get_current_worker

from domain.navigation import Place
from services.draft_keeper import DraftKeeper
from services.errors import DomainError
from services.settings import Settings
from storage.db import Store, open_store
from storage.errors import StorageError
from storage.paths import DbTarget, as_target
from tui import exit_codes
from tui.commands import ZhibuCommandPalette, ZhibuCommands
from tui.crash import write_crash_log
from tui.key_order import OrderedKeys
from widgets.app_handle import BackgroundFailed, ZhibuAppBase
from widgets.safe import plain
from widgets.textual_cn import QUIT_HINT, QUIT_HINT_TITLE

if TYPE_CHECKING:
    from textual.notifications import Notification

    from domain.meetings import Meeting

APP_TITLE = "支部工作台"
BUSY_STATUS = "数据库忙，正在等待"
UI_WRITE_PATIENCE_S = 2.0


CSS_DIR = Path(__file__).parent / "css"


def worker_error_message(error: BaseException, where: str) -> str:
    """What the user reads when a background task fails (never field values)."""
    if isinstance(error, StorageError | DomainError):
        return str(error)
    if isinstance(error, OSError):
        # Only exports write files from workers; they save atomically.
        from screens.export_errors import export_error_message

        return export_error_message(error)
    return f"后台任务出错（{type(error).__name__}），{where}。"


# How often the app looks whether a verified PIN has gone idle (seconds).
IDLE_CHECK_S = 15.0


class ZhibuApp(OrderedKeys, ZhibuAppBase):
    TITLE = APP_TITLE
    # app.tcss plus one file per workflow in tui/css/ (kept apart so workflows
    # can be styled without touching each other's rules).
    CSS_PATH = [Path(__file__).parent / "app.tcss", *sorted(CSS_DIR.glob("*.tcss"))]
    # Only our own commands: Textual's system ones (Theme, Screenshot, Keys…)
    # are English, and help / quit are in the route registry already.
    COMMANDS = {ZhibuCommands}
    COMMAND_PALETTE_BINDING = "ctrl+p"
    ENABLE_COMMAND_PALETTE = True
    # id: the name a [keys] table of the config file remaps (Textual's keymap).
    BINDINGS = [
        Binding("question_mark", "help", "帮助", key_display="?", id="help"),
        # F1 is priority so it opens help in dialogs and forms too (a modal
        # screen hides the app's other bindings); ? types into fields.
        Binding("f1", "help", "帮助", show=False, priority=True),
        Binding("ctrl+p", "command_palette", "命令", show=False, priority=True, id="command_palette"),
        Binding("ctrl+q", "quit", "退出", priority=True, id="quit"),
        Binding("escape", "back", "返回", show=False, id="back"),
    ]

    def __init__(
        self,
        db_path: DbTarget,
        store: Store,
        *,
        today: date | None = None,
        settings: Settings | None = None,
    ) -> None:
        super().__init__()
        # Read once by the CLI (services.settings); screens read it from here.
        self.settings = settings if settings is not None else Settings()
        self._apply_look(self.settings)
        # A blinking cursor repaints twice a second: ~1.8 KB/s per idle SSH
        # session for nothing (docs/ARCHITECTURE.md#text-and-terminal). Text areas are
        # all LimitedTextArea, which does not blink either; importing TextArea
        # here would cost every start 6 ms.
        from textual.widgets import Input

        Input.cursor_blink = False  # type: ignore[assignment]  # a plain False replaces the reactive
        self.db_path = db_path
        self.store = store
        self.freeze_heap_after_warm_up = False  # see screens.home._import_workflows
        self._today = today
        self.drafts = DraftKeeper(store, self.set_timer)
        self.drafts.on_status = self._draft_status
        from services.identity import attach_session, pin_session_for

        self.pin_session = attach_session(store, pin_session_for(store))
        self._loop_ref: asyncio.AbstractEventLoop | None = None
        self._waiting = 0  # writes now waiting for another process's lock
        self._lasting: dict[str, Notification] = {}  # toasts shown while a state lasts
        # A file name is user data too: no markup, no control characters.
        self.sub_title = plain(store.label)

    def _apply_look(self, settings: Settings) -> None:
        """Theme and key remaps from the configuration (docs/ARCHITECTURE.md#configuration)."""
        from services.settings import Theme

        if settings.keys:
            self.set_keymap(dict(settings.keys))
        if settings.theme is Theme.ANSI16:
            # The terminal's own 16 colours: the ANSI theme, colours not converted to RGB.
            self.theme = "ansi-dark"
            self.ansi_color = True
        elif settings.theme is Theme.ASCII:
            from tui.ascii_borders import use_ascii_borders

            self._restore_borders = use_ascii_borders()

    _restore_borders: Callable[[], None] | None = None

    def _draft_status(self, status: str | None) -> None:
        """A draft written nowhere is said in the header and in a lasting toast
        until a retry writes it (services.draft_keeper)."""
        self._show_status()
        self._lasting_toast("draft", status)

    def _show_status(self) -> None:
        parts = [self.drafts.status] if self.drafts.status else []
        if self._waiting > 0:
            parts.insert(0, BUSY_STATUS)
        parts.append(plain(self.store.label))
        self.sub_title = " · ".join(parts)

    def _lasting_toast(self, kind: str, message: str | None) -> None:
        """A form (modal) covers the header: a toast says the same on every
        screen while it lasts, and goes when it ends."""
        from textual.notifications import Notification, Notify

        old = self._lasting.get(kind)
        if old is not None and (message is None or old.message != message):
            self._unnotify(old)
            del self._lasting[kind]
        if message is not None and kind not in self._lasting:
            note = Notification(message, "", "warning", 3600, markup=False)
            self._lasting[kind] = note
            self.post_message(Notify(note))

    def _busy_toast(self, show: bool) -> None:
        self._lasting_toast(
            "busy", f"{BUSY_STATUS}（其他程序正在写入），完成后自动继续。" if show else None
        )

    def _on_store_wait(self, waiting: bool) -> None:
        """From whichever thread waits for the lock (draft writer, a save
        worker): the header says so while any write waits."""

        def apply() -> None:
            self._waiting = max(0, self._waiting + (1 if waiting else -1))
            self._show_status()
            self._busy_toast(self._waiting > 0)

        loop = self._loop_ref
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(apply)
        except RuntimeError:
            pass  # the loop closed meanwhile: nothing left to show it on

    # -- time --------------------------------------------------------------
    @property
    def today(self) -> date:
        return self._today or date.today()

    async def on_event(self, event: events.Event) -> None:
        # Keys, pastes and clicks are activity: they keep a verified PIN alive
        # (after the idle limit it is asked again; services.identity.PinSession).
        if isinstance(event, events.Key | events.Paste | events.MouseDown):
            if self.pin_session.person_id and self.pin_session.expired():
                # A shared account's sign-in ran out: this key belongs to
                # nobody, so it signs out before it can act as the person.
                self.lock_if_idle()
                return
            self.pin_session.touch()
        await super().on_event(event)

    # -- lifecycle ---------------------------------------------------------
    def on_mount(self) -> None:
        from screens.home import HomeScreen

        loop = asyncio.get_running_loop()
        self._loop_ref = loop
        self.store.on_wait = self._on_store_wait
        # A write still done on this thread freezes the screen while it waits:
        # at most UI_WRITE_PATIENCE_S, then the save is refused (input kept).
        # Forms that save through widgets.background_save wait off the thread.
        self.store.set_patience_here(UI_WRITE_PATIENCE_S)
        # Drafts are written off the UI thread: a write waiting for the lock
        # must never freeze the screen (docs/RELIABILITY.md, R7).
        self.drafts.start_writer(loop.call_soon_threadsafe)
        try:
            for sig in (signal.SIGHUP, signal.SIGTERM):
                loop.add_signal_handler(sig, self._on_hangup)
        except (NotImplementedError, RuntimeError, ValueError):
            pass  # not the main thread (tests) or no signals here
        from services.database import remove_stale_temps

        remove_stale_temps(self.store.path)  # what a kill -9 mid-export left (R9)
        self.push_screen(HomeScreen())
        for notice in self.drafts.notices:
            self.notify(notice, severity="warning", markup=False, timeout=15)
        self.set_interval(IDLE_CHECK_S, self.lock_if_idle)
        from services.identity import is_shared, needs_pin

        # A shared account starts as nobody and is not asked: 切换身份 (s) signs in.
        if needs_pin(self.store, self.pin_session) and not is_shared(self.store, self.pin_session):
            # A shared account: say who you are before anything private shows.
            self._ask_pin("开始使用（Esc 跳过：只看不含保密内容的信息）")

    # -- PIN -----------------------------------------------------------------
    _shared: bool | None = None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "go" and parameters == ("sign_in",):
            # 切换身份 is in 今日's footer only where several people share the
            # account (the flag is an administrator's, read once per session).
            if self._shared is None:
                from services.identity import is_shared

                self._shared = is_shared(self.store, self.pin_session)
            return self._shared
        return super().check_action(action, parameters)

    def _ask_pin(self, why: str, *, home_if_refused: bool = False) -> None:
        from screens.pin import PinScreen

        if isinstance(self.screen, PinScreen):
            return

        def done(ok: bool | None) -> None:
            if not ok and home_if_refused:
                self.go(Place.HOME)  # close whatever showed private details

        self.push_screen(PinScreen(why), done)

    def lock_if_idle(self) -> None:
        """A verified PIN left idle past the limit locks the session: the PIN
        is asked again over the current screen, and without it the app goes
        back to 今日, closing screens that showed private details."""
        session = self.pin_session
        if not session.expired():
            return
        if session.person_id:
            # A shared account returns to nobody, and to 今日: the next person
            # at the keyboard sees nothing of the last one's.
            from services.identity import sign_out

            name = session.person_name
            sign_out(self.store, session)
            self.go(Place.HOME)
            self.notify(
                f"已空闲超过 {session.idle_limit / 60:g} 分钟，{name} 已退出身份", markup=False
            )
            return
        session.forget()
        minutes = f"{session.idle_limit / 60:g}"
        self._ask_pin(f"已空闲超过 {minutes} 分钟，请重新输入", home_if_refused=True)

    def _on_hangup(self) -> None:
        """SSH dropped or killed: stop any wait for the lock, save drafts
        (the spill takes what SQLite cannot), exit; a watchdog ends a stuck loop."""
        signal.alarm(5)
        self.store.abort_waits()
        self.drafts.flush()
        self.exit(return_code=exit_codes.HANGUP)

    async def action_quit(self) -> None:
        self.store.abort_waits()  # a write stuck on another's lock: spill instead
        self.drafts.flush()
        self.exit()

    def on_unmount(self) -> None:
        if self._restore_borders is not None:
            self._restore_borders()  # borders are process-wide: the next app (tests) draws its own
            self._restore_borders = None
        self.drafts.end()
        self.store.on_wait = None
        self.store.set_patience_here(None)
        self.store.resume_waits()  # the store may outlive the app (tests, CLI)

    def _handle_exception(self, error: Exception) -> None:
        """Never show a traceback (it prints locals, i.e. personal data)."""
        if _damaged(error):
            # A damaged or truncated file found while running: stop writing
            # (no crash log next to it), and the next start checks it again.
            from storage.db import clear_verified

            self.drafts.flush()  # best effort: the spill takes what SQLite cannot
            if self.store.dialect == "sqlite":
                clear_verified(self.store.path)
            if self._exception is None:
                self._exception = error
                self._exception_event.set()
            self.exit(
                return_code=exit_codes.DATA,
                message=Text(
                    f"{self.store.label} 已损坏或被截断，支部工作台已停止写入并退出。"
                    "请联系管理员用备份恢复（zhibu check 可查看详情）。"
                ),
            )
            return
        if isinstance(error, WorkerFailed):
            self._worker_failed(error.error)
            return
        try:
            self.drafts.flush()
            log = write_crash_log(self.store.path, error)
            where = f"记录在 {log}"
        except Exception:  # noqa: BLE001
            where = "未能写入日志"
        if self._exception is None:  # lets Pilot tests see the error, as Textual does
            self._exception = error
            self._exception_event.set()
        self.exit(
            return_code=exit_codes.SOFTWARE,
            message=Text(
                f"支部工作台遇到意外错误（{type(error).__name__}）已退出，{where}。"
                "已输入的内容保存在草稿中，重新打开后可在首页继续。"
            ),
        )

    def _worker_failed(self, error: BaseException) -> None:
        """The one handler for every worker's error (Textual sends them here):
        the app stays up, the user gets a Chinese notice, the log a line, and
        the node that ran the worker a BackgroundFailed to recover with."""
        try:
            where = f"已记录在 {write_crash_log(self.store.path, error)}"
        except Exception:  # noqa: BLE001
            where = "未能写入日志"
        message = worker_error_message(error, where)
        self.notify(message, severity="error", markup=False, timeout=10)
        try:
            worker = get_current_worker()
        except NoActiveWorker:
            return
        worker.node.post_message(BackgroundFailed(worker, error, message))

    # -- navigation --------------------------------------------------------
    def go(self, place: Place, *args: str, **options: object) -> None:
        """Open *place*; screens/registry.py says what opens each."""
        from screens.registry import BY_PLACE

        BY_PLACE[place].open(self, *args, **options)

    def action_go(self, place: str) -> None:
        """Key bindings name a place by its value (see screens/home.py)."""
        self.go(Place(place))

    def action_help(self) -> None:
        from screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)  # F1 again closes it
            return
        self.push_screen(HelpScreen(self.screen))

    def action_command_palette(self) -> None:
        if self.use_command_palette and not ZhibuCommandPalette.is_open(self):  # type: ignore[arg-type]  # App[None]
            self.push_screen(ZhibuCommandPalette())

    def action_help_quit(self) -> None:
        """Ctrl+C copies in fields; elsewhere say how to quit (Textual's hint is English)."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(QUIT_HINT.format(key=key), title=QUIT_HINT_TITLE, markup=False)
                return

    async def action_back(self) -> None:
        if len(self.screen_stack) > 2:
            self.pop_screen()

    def open_meeting_screen(
        self, meeting: Meeting, raw: dict[str, str] | None = None, *, new: bool = False
    ) -> None:
        from screens.meetings.run import MeetingScreen

        self.push_screen(MeetingScreen(meeting, raw=raw, new=new))


def make_app(
    db_path: DbTarget | str,
    *,
    store: Store | None = None,
    today: date | None = None,
    settings: Settings | None = None,
) -> ZhibuApp:
    """Build the app from explicit paths (the CLI and tests both use this) and
    the settings read once at start (defaults when not given: no file is read)."""
    from services.export_folder import configure

    target = db_path if isinstance(db_path, Path) else as_target(db_path)
    configure(settings)
    return ZhibuApp(target, store or open_store(target), today=today, settings=settings)


def _damaged(error: BaseException | None) -> bool:
    """SQLITE_CORRUPT / SQLITE_NOTADB anywhere in the cause chain (a worker's
    error is wrapped in WorkerFailed)."""
    import sqlite3

    seen = 0
    while error is not None and seen < 8:
        code = getattr(error, "sqlite_errorcode", None)
        if isinstance(error, sqlite3.DatabaseError) and code is not None:
            if code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
                return True
        error = getattr(error, "error", None) or error.__cause__ or error.__context__
        seen += 1
    return False


def remappable_keys() -> dict[str, Binding]:
    """Binding id -> binding, for every key the config file's [keys] table
    may remap: the app's own and 今日's (built from the route registries)."""
    from screens.home import HomeScreen

    found: dict[str, Binding] = {}
    for b in (*ZhibuApp.BINDINGS, *HomeScreen.BINDINGS):
        if isinstance(b, Binding) and b.id:
            found.setdefault(b.id, b)
    return found
