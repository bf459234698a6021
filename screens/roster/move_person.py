"""调动: move a person to another branch (and group)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Select, Static

from domain.org import OrgKind
from domain.people import Person
from services import org_lookup
from services.roster import move_person
from widgets.app_handle import zapp
from widgets.background_save import run_save
from widgets.safe import content, text


class MovePersonScreen(ModalScreen[Person | None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "确定调动", priority=True),
        Binding("escape", "cancel", "取消"),
    ]

    def __init__(self, person: Person) -> None:
        super().__init__()
        self.person = person
        self._saving = False

    def compose(self) -> ComposeResult:
        self._units = org_lookup.all_units(zapp(self).store)
        branches = [u for u in self._units if u.kind is OrgKind.BRANCH]
        with Vertical(id="move-box"):
            yield Static(content(f"调动 {self.person.name}（Ctrl+S 确定）"), id="move-title")
            yield Label("调入支部")
            yield Select([(text(b.name), b.id) for b in branches], id="move-branch", allow_blank=False,
                         value=self.person.branch_id or branches[0].id)  # fmt: skip
            yield Label("党小组")
            yield Select([], id="move-group", prompt="（无）")
            yield Static(id="move-status")

    def on_mount(self) -> None:
        self._groups(self.person.branch_id)
        self.query_one("#move-branch", Select).focus()

    def _groups(self, branch_id: str | None) -> None:
        groups = [u for u in self._units if u.kind is OrgKind.GROUP and u.parent_id == branch_id]
        self.query_one("#move-group", Select).set_options([(text(g.name), g.id) for g in groups])

    @on(Select.Changed, "#move-branch")
    def _branch(self, event: Select.Changed) -> None:
        self._groups(str(event.value))

    def action_save(self) -> None:
        if self._saving:
            return  # a second Ctrl+S while the first waits moves nothing twice
        branch = str(self.query_one("#move-branch", Select).value)
        group_sel = self.query_one("#move-group", Select)
        group = None if group_sel.is_blank() else str(group_sel.value)
        store, person = zapp(self).store, self.person
        status = self.query_one("#move-status", Static)
        self._set_saving(True)
        status.update(content("正在保存…"))

        def refused(e: Exception) -> None:
            self._set_saving(False)
            status.update(content(str(e)))

        def done(moved: Person) -> None:
            self._set_saving(False)
            name = next((u.name for u in self._units if u.id == branch), "")
            self.notify(f"{moved.name} 已调入 {name}", markup=False)
            self.dismiss(moved)

        # Waiting for another process's lock happens off the UI thread
        # (docs/RELIABILITY.md, R7).
        run_save(self, store, lambda: move_person(store, person, branch, group), done, refused)

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving  # the choice was read before: changing it now saves nothing

    def action_cancel(self) -> None:
        if self._saving:
            self.notify("正在保存（数据库忙时请稍候），完成后再关闭", markup=False)
            return
        self.dismiss(None)
