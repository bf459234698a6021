"""The typed app handle screens and widgets use.

tui.app.ZhibuApp subclasses :class:`ZhibuAppBase`; screens and widgets may
not import tui (arrows point down), so they reach the app through
:func:`zapp`, which gives them the App API plus the attributes below, all
type-checked."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, cast

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.message import Message

from domain.navigation import Go, Place

if TYPE_CHECKING:
    from textual.worker import Worker

    from domain.meetings import Meeting
    from services.database import DbTarget
    from services.draft_keeper import DraftKeeper
    from services.identity import PinSession
    from services.settings import Settings
    from services.store import Store


class BackgroundFailed(Message):
    """A worker of this node failed; the app has already told the user and
    written the crash log. Handle it only to recover (re-enable, show the text
    in a status line); ``text`` is what the notification said."""

    def __init__(self, worker: Worker[object], error: BaseException, text: str) -> None:
        super().__init__()
        self.worker = worker
        self.error = error
        self.text = text


COPY_PATH_KEY = "ctrl+y"
COPY_PATH_HINT = "按 Ctrl+Y 复制路径"


class ZhibuAppBase(App[None]):
    """What every screen may rely on (set by tui.app.ZhibuApp)."""

    # After an export the footer offers to copy the file's full path
    # (docs/DOCUMENTS.md#export-folder). Priority: export dialogs are modal.
    BINDINGS = [Binding(COPY_PATH_KEY, "copy_export_path", "复制路径", priority=True)]
    last_export_path: str = ""

    db_path: DbTarget  # a SQLite file or a PostgreSQL URL; messages use store.label
    store: Store
    drafts: DraftKeeper
    # This session's PIN state (who proved it, last activity): services.identity.
    pin_session: PinSession
    # Read once at start (services.settings): rule options, theme, keys.
    settings: Settings
    # True in the real app: freeze the start-up heap after warm-up.
    freeze_heap_after_warm_up: bool

    @property
    def today(self) -> date:
        raise NotImplementedError

    def go(self, place: Place, *args: str, **options: object) -> None:
        """Open *place* with its ids (*args*) and typed extras (*options*,
        e.g. a period); screens/registry.py says what opens each."""
        raise NotImplementedError

    def action_help(self) -> None:
        raise NotImplementedError

    def follow(self, target: Go | None) -> None:
        if target is not None:
            self.go(target.place, *target.args)

    def open_meeting_screen(
        self, meeting: Meeting, raw: dict[str, str] | None = None, *, new: bool = False
    ) -> None:
        """*new*: just created, so the first field takes the typing."""
        raise NotImplementedError

    # -- the last export's path --------------------------------------------
    def exported(self, path: Path | str) -> str:
        """Remember *path* for the copy key; returns the line to show:
        the full path and the key."""
        full = str(Path(path).absolute())
        self.last_export_path = full
        self.refresh_bindings()
        return f"{full}（{COPY_PATH_HINT}）"

    def action_copy_export_path(self) -> None:
        if not self.last_export_path:
            return
        self.copy_to_clipboard(self.last_export_path)
        self.notify(f"已复制路径：{self.last_export_path}", markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "copy_export_path":
            return bool(self.last_export_path)  # hidden until something was exported
        return super().check_action(action, parameters)


def zapp(node: DOMNode) -> ZhibuAppBase:
    """The running app, typed (every screen runs inside a ZhibuApp)."""
    return cast(ZhibuAppBase, node.app)
