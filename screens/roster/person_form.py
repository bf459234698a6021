"""Add or edit a person: a form modal with per-field errors; drafts as typed."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import ValidationError
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from domain.dates import DateParseError, format_date, parse_optional_date
from domain.errors_cn import field_errors
from domain.org import OrgKind
from domain.people import CommitteePost, Person, PoliticalStatus, Sex, Shift
from services import org_lookup
from services.roster import save_person
from widgets.app_handle import zapp
from widgets.background_save import run_save
from widgets.date_input import DateInput
from widgets.limited_input import LimitedInput
from widgets.safe import content, text

WORKFLOW = "person"
TEXT_FIELDS = {"name": ("姓名", 40), "team": ("班组", 60), "job": ("岗位", 60),
               "phone": ("电话", 20), "note": ("备注", 200)}  # fmt: skip
DATE_FIELDS = {"birth_date": "出生日期", "joined_party": "入党时间", "confirmed_on": "转正时间"}
ENUM_FIELDS: dict[str, tuple[str, type[StrEnum]]] = {
    "sex": ("性别", Sex),
    "status": ("政治面貌", PoliticalStatus),
    "post": ("职务", CommitteePost),
    "shift": ("班次", Shift),
}
ORDER = ("name", "sex", "status", "branch_id", "group_id", "post", "team", "job", "shift",
         "phone", "birth_date", "joined_party", "confirmed_on", "note")  # fmt: skip


class PersonForm(ModalScreen[Person | None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "保存", priority=True),
        Binding("escape", "close", "关闭（留草稿）"),
        Binding("ctrl+d", "discard", "放弃修改"),
    ]

    def __init__(self, person: Person | None, *, branch_id: str | None = None) -> None:
        super().__init__()
        self.person = person
        self._default_branch = branch_id or (person.branch_id if person else None)
        self._key = person.id if person else "new"
        self._loading = True
        self._saving = False

    # -- layout ------------------------------------------------------------
    def compose(self) -> ComposeResult:
        store = zapp(self).store
        self._units = org_lookup.all_units(store)
        branches = [u for u in self._units if u.kind is OrgKind.BRANCH]
        title = "编辑人员" if self.person else "新增人员"
        with VerticalScroll(id="form-box"):
            yield Static(title + "（Ctrl+S 保存，Esc 关闭并保留草稿）", id="form-title")
            for field in ORDER:
                with Horizontal(classes="row"):
                    if field in TEXT_FIELDS:
                        label, max_len = TEXT_FIELDS[field]
                        yield Label(label)
                        yield LimitedInput(id=f"f-{field}", max_length=max_len, compact=True)
                    elif field in DATE_FIELDS:
                        yield Label(DATE_FIELDS[field])
                        yield DateInput(id=f"f-{field}", compact=True)
                    elif field in ENUM_FIELDS:
                        label, enum = ENUM_FIELDS[field]
                        yield Label(label)
                        yield Select(
                            [(e.value, e.value) for e in enum],
                            id=f"f-{field}",
                            allow_blank=field != "status",
                            prompt="（无）",
                            value=PoliticalStatus.MASSES.value
                            if field == "status"
                            else Select.NULL,
                            compact=True,
                        )
                    elif field == "branch_id":
                        yield Label("支部")
                        yield Select(
                            [(text(b.name), b.id) for b in branches],
                            id="f-branch_id",
                            prompt="（选择支部）",
                            compact=True,
                        )
                    elif field == "group_id":
                        yield Label("党小组")
                        yield Select([], id="f-group_id", prompt="（无）", compact=True)
                yield Static(classes="field-error", id=f"e-{field}")
            yield Static(id="form-status")

    def on_mount(self) -> None:
        values = self._values_from_person(self.person) if self.person else {}
        if not self.person and self._default_branch:
            values["branch_id"] = self._default_branch
        draft = zapp(self).drafts.load(WORKFLOW, self._key)
        if draft:
            values.update(draft.get("values", {}))
        with self.prevent(Input.Changed, Select.Changed):
            self._apply(values)
        if draft:
            self.notify("已恢复上次未保存的草稿", markup=False)
        self.query_one("#f-name", Input).focus()
        self.call_after_refresh(self._done_loading)

    def _done_loading(self) -> None:
        self._loading = False

    # -- values ------------------------------------------------------------
    @staticmethod
    def _values_from_person(p: Person) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in ORDER:
            v = getattr(p, f)
            if f in DATE_FIELDS:
                out[f] = format_date(v)
            elif hasattr(v, "value"):
                out[f] = v.value
            else:
                out[f] = "" if v is None else v
        return out

    def _apply(self, values: dict[str, Any]) -> None:
        branch = values.get("branch_id") or None
        self._set_groups(branch)
        for f in ORDER:
            if f not in values:
                continue
            w = self.query_one(f"#f-{f}")
            v = values[f]
            if isinstance(w, Select):
                if v in w._legal_values:  # noqa: SLF001 - pinned Textual
                    w.value = v
                elif w._allow_blank:  # noqa: SLF001
                    w.value = Select.NULL
            elif isinstance(w, Input):
                w.value = str(v or "")

    def _set_groups(self, branch_id: str | None) -> None:
        groups = [u for u in self._units if u.kind is OrgKind.GROUP and u.parent_id == branch_id]
        sel = self.query_one("#f-group_id", Select)
        sel.set_options([(text(g.name), g.id) for g in groups])

    def _collect(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in ORDER:
            w = self.query_one(f"#f-{f}")
            if isinstance(w, Select):
                out[f] = None if w.is_blank() else w.value
            elif isinstance(w, Input):
                out[f] = w.value
        return out

    # -- events ------------------------------------------------------------
    @on(Input.Changed)
    @on(Select.Changed)
    def _changed(self, event: Input.Changed | Select.Changed) -> None:
        if isinstance(event, Select.Changed) and event.select.id == "f-branch_id":
            if not self._loading:
                self._set_groups(None if event.select.is_blank() else str(event.value))
        if self._loading or self._saving:
            return  # a save in flight discards the draft; a refused one redrafts
        self._changed_now()

    def _changed_now(self) -> None:
        values = self._collect()
        title = values.get("name") or "（未填姓名）"
        zapp(self).drafts.touch(WORKFLOW, self._key, str(title), {"values": values})

    def _show_errors(self, errors: dict[str, str]) -> None:
        for f in ORDER:
            box = self.query_one(f"#e-{f}", Static)
            msg = errors.get(f)
            box.update(content(msg or ""))
            box.set_class(bool(msg), "-shown")
        status = self.query_one("#form-status", Static)
        status.update(content(f"有 {len(errors)} 处需要修改" if errors else ""))
        if errors:
            first = next(f for f in ORDER if f in errors)
            self.query_one(f"#f-{first}").focus()

    def _build(self) -> Person | None:
        values = self._collect()
        errors: dict[str, str] = {}
        for f in DATE_FIELDS:
            try:
                values[f] = parse_optional_date(values[f] or "", today=zapp(self).today)
            except DateParseError as e:
                errors[f] = str(e)
        if not values.get("branch_id"):
            errors["branch_id"] = "请选择支部"
        base = self.person.model_dump() if self.person else {}
        try:
            person = Person.model_validate(
                {**base, **{k: v for k, v in values.items() if k not in errors}}
            )
        except ValidationError as e:
            errors.update({k: v for k, v in field_errors(e).items() if k not in errors})
            person = None
        if errors:
            self._show_errors(errors)
            return None
        self._show_errors({})
        return person

    # -- actions -----------------------------------------------------------
    def action_save(self) -> None:
        if self._saving:
            return
        person = self._build()
        if person is None:
            return
        ref = zapp(self).drafts.ref(WORKFLOW, self._key)
        store = zapp(self).store
        self._saving = True
        self.query_one("#form-status", Static).update(content("正在保存…"))
        # Off the UI thread: a save waiting for another process's lock must
        # not freeze the screen (docs/RELIABILITY.md, R7).
        run_save(
            self, store, lambda: save_person(store, person, draft=ref), self._saved, self._refused
        )

    def _saved(self, saved: Person) -> None:
        self._saving = False
        zapp(self).drafts.forget(WORKFLOW, self._key)
        self.notify(f"已保存：{saved.name}", markup=False)
        self.dismiss(saved)

    def _refused(self, error: Exception) -> None:
        self._saving = False
        self._changed_now()  # what was typed while it waited is drafted now
        message = zapp(self).drafts.refused_message(str(error))
        self.query_one("#form-status", Static).update(content(message))
        self.notify(message, severity="error", markup=False, timeout=8)

    def action_close(self) -> None:
        message = zapp(self).drafts.close_message(WORKFLOW, self._key)
        if message:
            self.notify(message, markup=False)
        self.dismiss(None)

    def action_discard(self) -> None:
        zapp(self).drafts.discard(WORKFLOW, self._key)
        self.notify("已放弃修改", markup=False)
        self.dismiss(None)
