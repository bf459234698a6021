"""记录谈话/走访: one dated contact on a follow-up (modal form).

Saving moves the next-contact date to the latest contact plus the level's
interval (domain.followups.log_contact), so the reminder restarts.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Select, TextArea

from domain.dates import format_date
from domain.followups import (
    Actor,
    ContactMethod,
    FollowUp,
    FollowUpConfig,
    FollowUpError,
    make_contact,
)
from domain.text import NAME_MAX, SHORT_MAX
from screens.followups.form import FollowupForm, PersonChoice, PersonFieldSpec, row
from services import followups as fu_service
from services.errors import InvalidInput
from services.roster import get_person
from widgets.app_handle import zapp
from widgets.date_input import DateInput
from widgets.limited_input import LimitedInput, LimitedTextArea

WORKFLOW = "followup_contact"


class ContactForm(FollowupForm[FollowUp | None]):
    WORKFLOW = WORKFLOW
    TITLE_TEXT = "记录谈话/走访"
    FIELDS = ("on", "method", "by", "place", "content", "attitude", "help_given")
    PERSON_FIELDS = {"by": PersonFieldSpec("选择谈话人", members_only=True)}

    def __init__(self, fu: FollowUp, config: FollowUpConfig) -> None:
        super().__init__(fu.id)
        self.fu = fu
        self.config = config

    def compose_fields(self) -> ComposeResult:
        yield from row("日期", "on", DateInput(id="f-on", compact=True))
        yield from row(
            "方式",
            "method",
            Select(
                [(m.value, m.value) for m in ContactMethod],
                id="f-method",
                allow_blank=False,
                compact=True,
            ),
        )
        yield from row(
            "谈话人",
            "by",
            LimitedInput(id="f-by", placeholder="拼音回车选人", max_length=NAME_MAX, compact=True),
        )
        yield from row("地点", "place", LimitedInput(id="f-place", max_length=60, compact=True))
        yield from row(
            "主要内容",
            "content",
            LimitedTextArea(id="f-content", compact=True, max_length=2000),
        )
        yield from row(
            "对象态度",
            "attitude",
            LimitedInput(id="f-attitude", max_length=SHORT_MAX, compact=True),
        )
        yield from row(
            "帮扶措施", "help_given", LimitedInput(id="f-help_given", max_length=1000, compact=True)
        )

    def default_values(self) -> dict[str, Any]:
        assert self.viewer is not None
        by = PersonChoice(self.fu.responsible_id, self.fu.responsible_name)
        me = get_person(zapp(self).store, self.viewer.person_id) if self.viewer.mapped else None
        if me is not None and me.is_member:
            by = PersonChoice(me.id, me.name)
        return {
            "on": format_date(zapp(self).today),
            "method": ContactMethod.TALK.value,
            "by": by.to_json(),
        }

    def restore(self, values: dict[str, Any]) -> None:
        self.set_text("on", values.get("on"))
        self.set_select("method", values.get("method") or ContactMethod.TALK.value)
        for f in ("place", "content", "attitude", "help_given"):
            self.set_text(f, values.get(f))

    def values_for_draft(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            f: self.text_of(f) for f in ("on", "place", "content", "attitude", "help_given")
        }
        out["method"] = self.select_of("method")
        return out

    def draft_title(self) -> str:
        return f"{self.fu.person_name}（{self.fu.found_on.isoformat()} 发现）"

    def picker_branch(self) -> str | None:
        return self.fu.branch_id

    def focus_first(self) -> None:
        self.query_one("#f-content", TextArea).focus()

    def action_save(self) -> None:
        errors: dict[str, str] = {}
        on = self.date_of(
            "on", errors, required=True, not_before=self.fu.found_on, not_after_today=True
        )
        by = self.chosen.get("by")
        if by is None:
            errors["by"] = "请选择谈话人"
        if not self.text_of("content").strip():
            errors["content"] = "请写明谈话的主要内容"
        if errors:
            self.show_errors(errors)
            return
        assert on is not None and by is not None
        try:
            contact = make_contact(
                on,
                Actor(by.id, by.name),
                method=ContactMethod(self.select_of("method") or ContactMethod.TALK.value),
                content=self.text_of("content"),
                attitude=self.text_of("attitude"),
                help_given=self.text_of("help_given"),
                place=self.text_of("place"),
            )
        except FollowUpError as e:
            self.show_errors({})
            self.fail(str(e))
            return
        self.show_errors({})
        store, fu, config, ref = zapp(self).store, self.fu, self.config, self.draft_ref()

        def save() -> FollowUp:
            try:
                return fu_service.log_contact(store, fu, contact, config, draft=ref)
            except FollowUpError as e:  # a rule refused it: worded for the user
                raise InvalidInput(str(e)) from e

        def done(saved: FollowUp) -> None:
            self.saved(saved, f"已记录谈话，下次联系 {format_date(saved.next_contact)}")

        # Waiting for another process's lock happens off the UI thread.
        self.save_in_background(save, done)
