"""必谈/必访清单 editor: one branch's trigger catalogue — add, reword,
retire and restore (domain.triggers). Old cases keep their text snapshot.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Header, Input, Label, Select, Static

from domain.triggers import (
    TriggerCatalogue,
    TriggerError,
    TriggerKind,
    add_trigger,
    remove_trigger,
    restore_trigger,
    reword_trigger,
)
from services import followups as fu_service
from services import org_lookup
from widgets.app_handle import zapp
from widgets.background_save import run_save
from widgets.footer import KeyFooter
from widgets.limited_input import LimitedInput
from widgets.safe import content, text

WORKFLOW = "followup_trigger"


class TriggerTextForm(ModalScreen[tuple[TriggerKind, str] | None]):
    """Kind and wording of one trigger; the draft is kept as typed."""

    BINDINGS = [
        Binding("ctrl+s", "save", "保存", priority=True),
        Binding("escape", "close", "关闭（留草稿）"),
    ]

    def __init__(
        self, title: str, draft_key: str, *, kind: TriggerKind | None, wording: str = ""
    ) -> None:
        super().__init__()
        self._title = title
        self._key = draft_key
        self._kind = kind  # None: the kind is chosen here (adding)
        self._wording = wording
        self._ready = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="fu-form", id="fu-trigger-form"):
            yield Static(
                content(f"{self._title}（Ctrl+S 保存，Esc 关闭）"), classes="fu-form-title"
            )
            with Horizontal(classes="fu-row"):
                yield Label("类别")
                yield Select(
                    [(k.value, k.value) for k in TriggerKind],
                    id="t-kind",
                    value=(self._kind or TriggerKind.TALK).value,
                    allow_blank=False,
                    disabled=self._kind is not None,
                    compact=True,
                )
            with Horizontal(classes="fu-row"):
                yield Label("内容")
                yield LimitedInput(self._wording, id="t-text", max_length=60, compact=True)
            yield Static(id="t-status", classes="fu-form-status")

    def on_mount(self) -> None:
        draft = zapp(self).drafts.load(WORKFLOW, self._key)
        if draft:
            with self.prevent(Input.Changed):
                self.query_one("#t-text", Input).value = str(draft.get("text", ""))
        self.query_one("#t-text", Input).focus()
        self.call_after_refresh(setattr, self, "_ready", True)

    @on(Input.Changed, "#t-text")
    def _typed(self, event: Input.Changed) -> None:
        if not self._ready:
            return
        zapp(self).drafts.touch(WORKFLOW, self._key, self._title, {"text": event.value})

    @on(Input.Submitted, "#t-text")
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        value = self.query_one("#t-text", Input).value.strip()
        if not value:
            self.query_one("#t-status", Static).update(content("内容不能为空"))
            return
        kind = TriggerKind(str(self.query_one("#t-kind", Select).value))
        # The draft stays until the catalogue's save discards it (a refused
        # save keeps the wording).
        self.dismiss((kind, value))

    def action_close(self) -> None:
        zapp(self).drafts.flush()
        self.dismiss(None)


class TriggerCatalogueScreen(Screen[None]):
    BINDINGS = [
        Binding("a", "add", "新增"),
        Binding("r", "reword", "改写"),
        Binding("d", "toggle_trigger", "停用/启用"),
        Binding("escape", "back", "返回"),
    ]

    def __init__(self, branch_id: str | None = None) -> None:
        super().__init__()
        self._branch_hint = branch_id
        self.cat: TriggerCatalogue | None = None
        self._saving = False  # a save waiting for the lock: the catalogue holds still

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="tc-top"):
            yield Label("支部")
            branches = org_lookup.branches(zapp(self).store)
            ids = [b.id for b in branches]
            yield Select(
                [(text(b.name), b.id) for b in branches],
                id="tc-branch",
                value=self._branch_hint
                if self._branch_hint in ids
                else (ids[0] if ids else Select.NULL),
                allow_blank=not ids,
                compact=True,
            )
        yield DataTable(id="tc-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="tc-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("编号", key="code", width=4)
        table.add_column("类别", key="kind", width=4)
        table.add_column("内容", key="text", width=44)
        table.add_column("状态", key="active", width=4)
        self.reload()
        table.focus()

    def _branch(self) -> str | None:
        sel = self.query_one("#tc-branch", Select)
        return None if sel.is_blank() else str(sel.value)

    def reload(self) -> None:
        branch = self._branch()
        table = self.query_one(DataTable)
        table.clear()
        if branch is None:
            self.cat = None
            return
        self.cat = fu_service.branch_catalogue(zapp(self).store, branch)
        for t in self.cat.triggers:
            table.add_row(
                text(t.code),
                text(t.kind),
                text(t.text),
                text("在用" if t.active else "停用"),
                key=t.code,
            )
        self.query_one("#tc-status", Static).update(
            content("每条一人一事记下触发情形的编号和当时的文字；改写或停用不影响已登记的记录。")
        )

    @on(Select.Changed, "#tc-branch")
    def _branch_changed(self) -> None:
        self.reload()

    def _current_code(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def _held_back(self) -> bool:
        if not self._saving:
            return False
        self.notify("正在保存（数据库忙时请稍候），完成后再修改", markup=False)
        return True

    def _save(self, new: TriggerCatalogue, message: str, draft_key: str | None = None) -> None:
        if self._saving:
            return  # one save at a time: the second would be against a stale version
        store = zapp(self).store
        ref = zapp(self).drafts.ref(WORKFLOW, draft_key) if draft_key else None
        self._saving = True
        self.query_one("#tc-status", Static).update(content("正在保存…"))

        def refused(e: Exception) -> None:
            self._saving = False
            text_kept = "（输入的内容已存为草稿）" if draft_key else ""
            self.notify(f"{e}{text_kept}", severity="error", markup=False, timeout=8)
            self.reload()

        def done(saved: TriggerCatalogue) -> None:
            self._saving = False
            if draft_key:
                zapp(self).drafts.forget(WORKFLOW, draft_key)  # discarded by the save
            self.cat = saved
            self.notify(message, markup=False)
            self.reload()

        # Waiting for another process's lock happens off the UI thread
        # (docs/RELIABILITY.md, R7).
        run_save(
            self, store, lambda: fu_service.save_catalogue(store, new, draft=ref), done, refused
        )

    def action_add(self) -> None:
        if self._held_back():
            return
        if self.cat is None:
            return
        cat = self.cat

        def done(result: tuple[TriggerKind, str] | None) -> None:
            if result is None:
                return
            try:
                new = add_trigger(cat, *result)
            except TriggerError as e:
                self.notify(str(e), severity="error", markup=False)
                return
            self._save(new, f"已新增：{result[1]}", key)

        key = f"{cat.branch_id}:new"
        self.app.push_screen(TriggerTextForm("新增触发情形", key, kind=None), done)

    def action_reword(self) -> None:
        if self._held_back():
            return
        code = self._current_code()
        if self.cat is None or code is None:
            return
        cat = self.cat
        trigger = next(t for t in cat.triggers if t.code == code)
        key = f"{cat.branch_id}:{code}"

        def done(result: tuple[TriggerKind, str] | None) -> None:
            if result is None:
                return
            try:
                new = reword_trigger(cat, code, result[1])
            except TriggerError as e:
                self.notify(str(e), severity="error", markup=False)
                return
            self._save(new, f"已改写 {code}", key)

        self.app.push_screen(
            TriggerTextForm(f"改写 {code}", key, kind=trigger.kind, wording=trigger.text),
            done,
        )

    # Not action_toggle: that is DOMNode's toggle(attribute_name) action.
    def action_toggle_trigger(self) -> None:
        if self._held_back():
            return
        code = self._current_code()
        if self.cat is None or code is None:
            return
        trigger = next(t for t in self.cat.triggers if t.code == code)
        try:
            if trigger.active:
                new, msg = remove_trigger(self.cat, code), f"已停用 {code}"
            else:
                new, msg = restore_trigger(self.cat, code), f"已启用 {code}"
        except TriggerError as e:
            self.notify(str(e), severity="error", markup=False)
            return
        self._save(new, msg)

    def action_back(self) -> None:
        if self._held_back():
            return
        self.app.pop_screen()
