"""Shared pieces of the 一人一事 form modals: rows with per-field errors,
person fields that open the pinyin picker, drafts saved as typed.

Keyboard flow: Enter in a text field moves to the next field; Enter in a
person field opens the picker with what was typed (type "zw", Enter, Enter);
Ctrl+S saves from anywhere; Esc closes and keeps the draft.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, Static, TextArea

from domain.dates import DateParseError, parse_optional_date
from domain.followups import Actor
from domain.people import Person
from services.accounts import Viewer
from services.accounts import current_viewer as load_viewer
from services.draft_keeper import DraftRef
from widgets.app_handle import ZhibuAppBase, zapp
from widgets.background_save import run_save
from widgets.safe import content

T = TypeVar("T")
R = TypeVar("R")
TYPED_SUFFIX = "_typed"  # draft key of a person field's raw text


@dataclass(frozen=True)
class PersonChoice:
    """A person picked in a form; ``is_new`` when typed in to be created."""

    id: str
    name: str
    is_new: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "is_new": self.is_new}

    @classmethod
    def from_json(cls, data: object) -> PersonChoice | None:
        if not isinstance(data, dict) or not data.get("name"):
            return None
        return cls(str(data.get("id") or ""), str(data["name"]), bool(data.get("is_new")))


@dataclass(frozen=True)
class PersonFieldSpec:
    title: str
    members_only: bool = False
    allow_new: bool = False


def current_viewer(app: ZhibuAppBase) -> Viewer:
    """The approved person behind this session; nobody while the account's
    PIN has not been given (or the session sat idle too long)."""
    from services import identity

    viewer = load_viewer(app.store)
    if viewer.mapped and identity.needs_pin(app.store, app.pin_session):
        return Viewer(viewer.os_user)
    return viewer


def actor_of(viewer: Viewer) -> Actor:
    """Who did it, for status changes: the mapped person, else the account."""
    return Actor(viewer.person_id, viewer.display_name)


def row(label: str, field: str, widget: Widget) -> ComposeResult:
    """A labelled form row plus its (hidden until needed) error line."""
    with Horizontal(classes="fu-row"):
        yield Label(label)
        yield widget
    yield Static(classes="field-error", id=f"e-{field}")


class FollowupForm(ModalScreen[T]):
    """Base for the follow-up modals. Subclasses set WORKFLOW, FIELDS (order
    of error display and draft keys), PERSON_FIELDS, and implement
    compose_fields(), values_for_draft(), restore(values), draft_title(),
    action_save()."""

    BINDINGS = [
        Binding("ctrl+s", "save", "保存", priority=True),
        Binding("escape", "close", "关闭（留草稿）"),
        Binding("ctrl+d", "discard", "放弃"),
    ]
    WORKFLOW = "followup"
    FIELDS: tuple[str, ...] = ()
    PERSON_FIELDS: dict[str, PersonFieldSpec] = {}
    TITLE_TEXT = ""

    def __init__(self, draft_key: str) -> None:
        super().__init__()
        self.draft_key = draft_key
        self.chosen: dict[str, PersonChoice | None] = {}
        # Raw text of each person field (or of its open picker), picked or not:
        # the draft keeps it, so a name typed but not yet picked survives.
        self.typed: dict[str, str] = {}
        self._loading = True
        self._saving = False
        self.viewer: Viewer | None = None

    # -- hooks for subclasses ----------------------------------------------
    def compose_fields(self) -> ComposeResult:
        yield from ()

    def values_for_draft(self) -> dict[str, Any]:
        return {}

    def restore(self, values: dict[str, Any]) -> None:
        """Apply draft or default values to the widgets (Changed is suppressed)."""

    def draft_title(self) -> str:
        return self.TITLE_TEXT

    def picker_branch(self) -> str | None:
        return None

    def after_person_chosen(self, field: str) -> None:
        self.focus_next()

    # -- layout ------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="fu-form", id="fu-form"):
            yield Static(
                content(f"{self.TITLE_TEXT}（Ctrl+S 保存，Esc 关闭并保留草稿）"),
                classes="fu-form-title",
            )
            yield from self.compose_fields()
            yield Static(id="form-status", classes="fu-form-status")

    def on_mount(self) -> None:
        self.viewer = current_viewer(zapp(self))
        values = self.default_values()
        draft = zapp(self).drafts.load(self.WORKFLOW, self.draft_key)
        if draft:
            values.update(draft.get("values", {}))
        with self.prevent(Input.Changed, Select.Changed, TextArea.Changed, Checkbox.Changed):
            self.restore(values)
            for field in self.PERSON_FIELDS:
                if field in values:
                    self.set_person(field, PersonChoice.from_json(values[field]))
                typed = values.get(f"{field}{TYPED_SUFFIX}")
                if isinstance(typed, str) and typed and not self.chosen.get(field):
                    self.query_one(f"#f-{field}", Input).value = typed
                    self.typed[field] = typed
        if draft:
            self.notify("已恢复上次未保存的草稿", markup=False)
        self.focus_first()
        self.call_after_refresh(self._done_loading)

    def default_values(self) -> dict[str, Any]:
        return {}

    def focus_first(self) -> None:
        """Focus the first field (subclasses may pick another)."""
        if self.FIELDS:
            self.query_one(f"#f-{self.FIELDS[0]}").focus()

    def _done_loading(self) -> None:
        self._loading = False

    # -- person fields -----------------------------------------------------
    def set_person(self, field: str, choice: PersonChoice | None) -> None:
        self.chosen[field] = choice
        self.typed[field] = choice.name if choice else ""
        with self.prevent(Input.Changed):
            self.query_one(f"#f-{field}", Input).value = choice.name if choice else ""

    def _open_picker(self, field: str, initial: str) -> None:
        from widgets.person_picker import NewPerson, PickPersonScreen

        spec = self.PERSON_FIELDS[field]

        def done(result: object) -> None:
            if result is None:
                box = self.query_one(f"#f-{field}", Input)
                typed = self.typed.get(field, "")
                if not self.chosen.get(field) and typed != box.value:
                    with self.prevent(Input.Changed):
                        box.value = typed  # what was typed in the picker stays
                box.focus()
                return
            if isinstance(result, NewPerson):
                choice = PersonChoice("", result.name, is_new=True)
            else:
                assert isinstance(result, Person)  # what PickPersonScreen dismisses with
                choice = PersonChoice(result.id, result.name)
            self.set_person(field, choice)
            self.touch()
            self.query_one(f"#f-{field}", Input).focus()
            self.after_person_chosen(field)

        self.app.push_screen(
            PickPersonScreen(
                spec.title,
                branch_id=self.picker_branch(),
                members_only=spec.members_only,
                allow_new=spec.allow_new,
                initial=initial,
                on_query=lambda query: self._typed_in_picker(field, query),
            ),
            done,
        )

    def _typed_in_picker(self, field: str, query: str) -> None:
        self.typed[field] = query
        self.touch()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        field = (event.input.id or "").removeprefix("f-")
        event.stop()
        if field in self.PERSON_FIELDS:
            chosen = self.chosen.get(field)
            typed = event.value.strip()
            self._open_picker(field, "" if chosen and chosen.name == typed else typed)
        else:
            self.focus_next()

    # -- drafts ------------------------------------------------------------
    @on(Input.Changed)
    @on(Select.Changed)
    @on(TextArea.Changed)
    @on(Checkbox.Changed)
    def _changed(self, event: object) -> None:
        if self._loading:
            return
        widget = getattr(event, "input", None)
        if isinstance(widget, Input):
            field = (widget.id or "").removeprefix("f-")
            chosen = self.chosen.get(field)
            if field in self.PERSON_FIELDS:
                self.typed[field] = widget.value
            if field in self.PERSON_FIELDS and chosen and widget.value.strip() != chosen.name:
                self.chosen[field] = None  # typed over the pick: pick again
        self.on_field_changed(event)
        self.touch()

    def on_field_changed(self, event: object) -> None:
        """Subclass hook, called after loading on any field change."""

    def touch(self) -> None:
        if self._loading or self._saving:
            return  # a save in flight discards the draft; a refused one redrafts
        values = self.values_for_draft()
        values.update({f: (c.to_json() if c else None) for f, c in self.chosen.items()})
        for field in self.PERSON_FIELDS:
            if field in self.typed:
                values[f"{field}{TYPED_SUFFIX}"] = self.typed[field]
        zapp(self).drafts.touch(
            self.WORKFLOW, self.draft_key, self.draft_title(), {"values": values}
        )

    # -- values ------------------------------------------------------------
    def text_of(self, field: str) -> str:
        w = self.query_one(f"#f-{field}")
        if isinstance(w, TextArea):
            return w.text
        if isinstance(w, Input):
            return w.value
        raise TypeError(field)

    def select_of(self, field: str) -> str | None:
        w = self.query_one(f"#f-{field}", Select)
        return None if w.is_blank() else str(w.value)

    def set_select(self, field: str, value: object) -> None:
        w = self.query_one(f"#f-{field}", Select)
        if value in w._legal_values:  # noqa: SLF001 - pinned Textual
            w.value = value
        elif w._allow_blank:  # noqa: SLF001
            w.value = Select.NULL

    def set_text(self, field: str, value: object) -> None:
        w = self.query_one(f"#f-{field}")
        if isinstance(w, TextArea):
            w.text = str(value or "")
        elif isinstance(w, Input):
            w.value = str(value or "")

    def date_of(
        self,
        field: str,
        errors: dict[str, str],
        *,
        required: bool = False,
        not_before: date | None = None,
        not_after_today: bool = False,
    ) -> date | None:
        today: date = zapp(self).today
        try:
            value = parse_optional_date(self.text_of(field), today=today)
        except DateParseError as e:
            errors[field] = str(e)
            return None
        if value is None and required:
            errors[field] = "请填写日期"
        elif value is not None and not_before is not None and value < not_before:
            # The domain refuses it too; said here so the error sits on the field.
            errors[field] = f"日期不能早于发现日期（{not_before.isoformat()}）"
        elif value is not None and not_after_today and value > today:
            errors[field] = "日期不能晚于今天"
        return value

    # -- errors ------------------------------------------------------------
    def show_errors(self, errors: dict[str, str], status: str = "") -> None:
        for f in self.FIELDS:
            try:
                box = self.query_one(f"#e-{f}", Static)
            except Exception:  # noqa: BLE001 - a field this form does not show
                continue
            msg = errors.get(f)
            box.update(content(msg or ""))
            box.set_class(bool(msg), "-shown")
        extra = [m for f, m in errors.items() if f not in self.FIELDS]
        line = status or "；".join(extra) or (f"有 {len(errors)} 处需要修改" if errors else "")
        self.set_status(line)
        if errors:
            first = next((f for f in self.FIELDS if f in errors), None)
            if first:
                widget = self.query_one(f"#f-{first}")
                widget.focus()
                if isinstance(widget, Input):
                    widget.select_all()  # typing replaces the wrong value

    def set_status(self, message: str) -> None:
        self.query_one("#form-status", Static).update(content(message, multiline=True))

    def fail(self, message: str) -> None:
        """A save refused (domain rule or storage): keep the form open, say why."""
        message = zapp(self).drafts.refused_message(message)
        self.set_status(message)
        self.notify(message, severity="error", markup=False, timeout=8)

    # -- actions -----------------------------------------------------------
    def action_save(self) -> None:  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def save_in_background(self, save: Callable[[], R], done: Callable[[R], None]) -> None:
        """Run *save* (a store write) so that waiting for another process's
        lock never freezes the screen (widgets.background_save); *done* gets
        its result, a refusal goes to fail()."""
        if self._saving:
            return
        self._saving = True
        self.set_status("正在保存…")

        def finished(result: R) -> None:
            self._saving = False
            done(result)

        def refused(error: Exception) -> None:
            self._saving = False
            self.touch()  # what was typed while it waited is drafted now
            self.fail(str(error))

        run_save(self, zapp(self).store, save, finished, refused)

    def draft_ref(self) -> DraftRef:
        """This form's draft row, discarded by the save's own transaction."""
        return zapp(self).drafts.ref(self.WORKFLOW, self.draft_key)

    def saved(self, result: T, message: str) -> None:
        zapp(self).drafts.forget(self.WORKFLOW, self.draft_key)
        self.notify(message, markup=False)
        self.dismiss(result)

    def action_close(self) -> None:
        if self._saving:
            # Closing now would leave the waiting save's outcome unseen.
            self.notify("正在保存（数据库忙时请稍候），完成后再关闭", markup=False)
            return
        message = zapp(self).drafts.close_message(self.WORKFLOW, self.draft_key)
        if message:
            self.notify(message, markup=False)
        self.dismiss(None)

    def action_discard(self) -> None:
        if self._saving:
            self.notify("正在保存（数据库忙时请稍候），完成后再放弃", markup=False)
            return
        zapp(self).drafts.discard(self.WORKFLOW, self.draft_key)
        self.notify("已放弃", markup=False)
        self.dismiss(None)
