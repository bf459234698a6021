"""一人一事快速登记: file a follow-up in under a minute at shift handover.

Four fields must be filled to save (对象, 触发情形, 简要情况, 责任人); level
(一般) and next contact date (the level's first-contact days) have defaults,
and the branch is preset. At most six fields (docs/RULES.md#follow-ups).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Select, Static

from domain.dates import format_date
from domain.followups import (
    DEFAULT_CATEGORY,
    QUICK_SUMMARY_MAX,
    Category,
    FollowUp,
    FollowUpError,
    Level,
    QuickForm,
)
from domain.people import Person, PoliticalStatus
from domain.text import NAME_MAX
from domain.triggers import TriggerCatalogue, active
from screens.followups.form import FollowupForm, PersonChoice, PersonFieldSpec, row
from services import followups as fu_service
from services import org_lookup
from services.errors import InvalidInput
from services.roster import get_person
from widgets.app_handle import zapp
from widgets.checkbox import TextCheckbox
from widgets.date_input import DateInput
from widgets.limited_input import LimitedInput
from widgets.safe import content, text

WORKFLOW = "followup"
DRAFT_KEY = "new"
# Triggers whose cases are usually health or hardship, i.e. sensitive
# personal information (PIPL Art. 28): suggest 保密 for them.
SENSITIVE = frozenset({Category.HEALTH, Category.HARDSHIP})


class QuickFileScreen(FollowupForm[FollowUp | None]):
    WORKFLOW = WORKFLOW
    TITLE_TEXT = "一人一事 快速登记"
    FIELDS = (
        "branch",
        "person",
        "trigger",
        "summary",
        "responsible",
        "level",
        "next_contact",
        "private",
    )
    PERSON_FIELDS = {
        "person": PersonFieldSpec("选择对象（职工）", allow_new=True),
        "responsible": PersonFieldSpec("选择责任人（包保党员）", members_only=True),
    }

    def __init__(self, branch_id: str | None = None) -> None:
        super().__init__(DRAFT_KEY)
        self._branch_hint = branch_id
        self._catalogue: TriggerCatalogue | None = None
        self._private_touched = False
        self._ack_case: str | None = None  # the open case the user chose to file beside

    # -- layout ------------------------------------------------------------
    def compose_fields(self) -> ComposeResult:
        store = zapp(self).store
        self._branches = org_lookup.branches(store)
        yield from row(
            "支部",
            "branch",
            Select(
                [(text(b.name), b.id) for b in self._branches],
                id="f-branch",
                allow_blank=False if self._branches else True,
                compact=True,
            ),
        )
        yield from row(
            "对象",
            "person",
            LimitedInput(
                id="f-person",
                placeholder="拼音如 zw，回车选人；没有可新增",
                max_length=NAME_MAX,
                compact=True,
            ),
        )
        yield from row(
            "触发情形",
            "trigger",
            Select([], id="f-trigger", prompt="（回车选择，可键入编号 t2、v1）", compact=True),
        )
        yield from row(
            "简要情况",
            "summary",
            LimitedInput(
                id="f-summary",
                max_length=QUICK_SUMMARY_MAX,
                placeholder="几个字写明情况",
                compact=True,
            ),
        )
        yield from row(
            "责任人",
            "responsible",
            LimitedInput(
                id="f-responsible",
                placeholder="包保党员，拼音回车选人",
                max_length=NAME_MAX,
                compact=True,
            ),
        )
        yield from row(
            "级别",
            "level",
            Select(
                [(lv.value, lv.value) for lv in Level],
                id="f-level",
                allow_blank=False,
                compact=True,
            ),
        )
        yield from row("下次联系", "next_contact", DateInput(id="f-next_contact", compact=True))
        yield from row(
            "保密",
            "private",
            TextCheckbox("仅书记和责任人可见详情", id="f-private", compact=True),
        )
        yield Static(id="fu-hint", classes="fu-hint")

    # -- values ------------------------------------------------------------
    def default_values(self) -> dict[str, Any]:
        assert self.viewer is not None
        branch = self._branch_hint or self.viewer.branch_id
        if branch not in {b.id for b in self._branches}:
            branch = self._branches[0].id if self._branches else None
        values: dict[str, Any] = {"branch": branch, "level": Level.ROUTINE.value}
        me = get_person(zapp(self).store, self.viewer.person_id) if self.viewer.mapped else None
        # The one filing is usually the 包保党员 (or the secretary): preset.
        if me is not None and me.is_member and me.branch_id == branch:
            values["responsible"] = PersonChoice(me.id, me.name).to_json()
        return values

    def restore(self, values: dict[str, Any]) -> None:
        self.set_select("branch", values.get("branch"))
        self._load_triggers()
        self.set_select("trigger", values.get("trigger"))
        self.set_text("summary", values.get("summary"))
        self.set_select("level", values.get("level") or Level.ROUTINE.value)
        self.set_text("next_contact", values.get("next_contact"))
        self.query_one("#f-private", Checkbox).value = bool(values.get("private"))
        self._private_touched = bool(values.get("private_touched"))
        self._update_hint()

    def values_for_draft(self) -> dict[str, Any]:
        return {
            "branch": self.select_of("branch"),
            "trigger": self.select_of("trigger"),
            "summary": self.text_of("summary"),
            "level": self.select_of("level"),
            "next_contact": self.text_of("next_contact"),
            "private": self.query_one("#f-private", Checkbox).value,
            "private_touched": self._private_touched,
        }

    def draft_title(self) -> str:
        person = self.chosen.get("person")
        return person.name if person else "（未选对象）"  # the list adds the kind

    def picker_branch(self) -> str | None:
        return self.select_of("branch")

    def focus_first(self) -> None:
        self.query_one("#f-person", Input).focus()

    def after_person_chosen(self, field: str) -> None:
        nxt = "#f-trigger" if field == "person" else "#f-level"
        self.query_one(nxt).focus()
        if field == "person":
            self._warn_open_case()

    # -- an open case of the same person and reason ----------------------------
    def _open_case(self) -> FollowUp | None:
        from services.followups import open_case_like

        person = self.chosen.get("person")
        if person is None or person.is_new or self.viewer is None:
            return None
        code = self.select_of("trigger") or ""
        return open_case_like(zapp(self).store, person.id, code)

    def _warn_open_case(self) -> None:
        from services.followups import describe_open_case

        case = self._open_case()
        if case is not None:
            self.set_status(
                f"注意：{case.person_name or '该对象'} 已有未销号的同类一人一事："
                f"{describe_open_case(case)}。保存时可选择仍登记新的一件或打开已有的。"
            )

    def _ask_open_case(self, case: FollowUp) -> None:
        from domain.navigation import Place
        from screens.dialogs import ChoicePrompt
        from services.followups import describe_open_case

        app = zapp(self)

        def answer(choice: str | None) -> None:
            if choice == "continue":
                self._ack_case = case.id
                self.action_save()
            elif choice == "open":
                self.action_close()  # keeps what was typed as a draft
                app.go(Place.FOLLOWUP, case.id)

        person = self.chosen.get("person")
        name = person.name if person else "该对象"
        self.app.push_screen(
            ChoicePrompt(
                f"{name} 已有未销号的同类一人一事：\n{describe_open_case(case)}",
                [("continue", "仍登记新的一件"), ("open", "打开已有的这件"),
                 ("cancel", "返回表单")],
            ),
            answer,
        )

    # -- reactions ---------------------------------------------------------
    def _load_triggers(self) -> None:
        branch = self.select_of("branch")
        sel = self.query_one("#f-trigger", Select)
        if not branch:
            self._catalogue = None
            sel.set_options([])
            return
        self._catalogue = fu_service.branch_catalogue(zapp(self).store, branch)
        sel.set_options(
            [(text(f"{t.code} {t.kind}：{t.text}"), t.code) for t in active(self._catalogue)]
        )

    def on_field_changed(self, event: object) -> None:
        if isinstance(event, Select.Changed):
            field = (event.select.id or "").removeprefix("f-")
            if field == "branch":
                self._branch_changed()
            elif field == "trigger":
                self._suggest_private()
                self.query_one("#f-summary", Input).focus()
                self._warn_open_case()
            elif field == "level":
                self._update_hint()
        elif isinstance(event, Checkbox.Changed):
            self._private_touched = True

    def _branch_changed(self) -> None:
        code = self.select_of("trigger")
        with self.prevent(Select.Changed):
            self._load_triggers()
            self.set_select("trigger", code)
        # People were searched within the old branch.
        if self.chosen.get("person") or self.chosen.get("responsible"):
            self.set_person("person", None)
            self.set_person("responsible", None)
            self.set_status("已切换支部，请重新选择对象和责任人")

    def _suggest_private(self) -> None:
        code = self.select_of("trigger")
        if self._private_touched or not code:
            return
        sensitive = DEFAULT_CATEGORY.get(code) in SENSITIVE
        with self.prevent(Checkbox.Changed):
            self.query_one("#f-private", Checkbox).value = sensitive

    def _update_hint(self) -> None:
        level = Level(self.select_of("level") or Level.ROUTINE.value)
        branch = self.select_of("branch")
        app = zapp(self)
        intervals = app.settings.rules.followups
        cfg = fu_service.branch_config(app.store, branch, intervals) if branch else None
        if cfg is None:
            return
        days = cfg.first_contact_days[level]
        default = zapp(self).today + timedelta(days=days)
        self.query_one(
            "#f-next_contact", Input
        ).placeholder = f"留空为 {format_date(default)}（{level}：{days}天内联系）"
        self.query_one("#fu-hint", Static).update(
            content("对象、触发情形、简要情况、责任人必填；其余可留默认。")
        )

    # -- save --------------------------------------------------------------
    def action_save(self) -> None:
        store = zapp(self).store
        today = zapp(self).today
        errors: dict[str, str] = {}
        branch = self.select_of("branch")
        if not branch or self._catalogue is None:
            self.show_errors({"branch": "请选择支部"})
            return
        next_contact = self.date_of("next_contact", errors)
        person = self.chosen.get("person")
        resp = self.chosen.get("responsible")
        new_person: Person | None = None
        if person is not None and person.is_new:
            try:
                new_person = Person(
                    name=person.name, status=PoliticalStatus.MASSES, branch_id=branch
                )
            except ValidationError:
                errors["person"] = "新增对象的姓名不能为空，且不超过40字"
        elif person is not None and get_person(store, person.id) is None:
            errors["person"] = "对象不在花名册中，请重新选择"
        form = QuickForm(
            person_id=new_person.id if new_person else (person.id if person else ""),
            person_name=person.name if person else "",
            trigger_code=self.select_of("trigger") or "",
            summary=self.text_of("summary"),
            responsible_id=resp.id if resp else "",
            responsible_name=resp.name if resp else "",
            next_contact=next_contact,
            level=Level(self.select_of("level") or Level.ROUTINE.value),
            found_on=today,
            private=self.query_one("#f-private", Checkbox).value,
        )
        for field, msg in fu_service.check_quick_form(
            store, form, self._catalogue, branch_id=branch, today=today
        ).items():
            errors.setdefault(field, msg)
        if errors:
            self.show_errors(errors)
            return
        self.show_errors({})
        case = None if new_person else self._open_case()
        if case is not None and case.id != self._ack_case:
            self._ask_open_case(case)
            return
        ref = self.draft_ref()
        catalogue = self._catalogue
        intervals = zapp(self).settings.rules.followups  # [rules.followups] of the config

        def save() -> FollowUp:
            try:
                return fu_service.file_quick(
                    store,
                    form,
                    catalogue,
                    branch_id=branch,
                    today=today,
                    new_person=new_person,
                    draft=ref,
                    default_config=intervals,
                )
            except FollowUpError as e:  # a rule refused it: worded for the user
                raise InvalidInput(str(e)) from e

        def done(saved: FollowUp) -> None:
            extra = "（已新增为群众）" if new_person else ""
            when = format_date(saved.next_contact)
            self.saved(saved, f"已登记：{saved.person_name}{extra}，下次联系 {when}")

        # Waiting for another process's lock happens off the UI thread.
        self.save_in_background(save, done)
