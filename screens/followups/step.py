"""The status steps of a follow-up as small modal forms: 上报, 办结, 回访,
销号, 重新打开, 长期跟踪. Each calls the domain function (which checks the
status rules) and saves with the version check; a refusal stays on the form.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from textual.app import ComposeResult
from textual.widgets import Select

from domain import followups as fx
from domain.dates import format_date
from domain.followups import Actor, ContactMethod, FollowUp, FollowUpConfig, FollowUpError
from screens.followups.form import FollowupForm, PersonChoice, PersonFieldSpec, actor_of, row
from services import followups as fu_service
from services.errors import InvalidInput
from widgets.app_handle import zapp
from widgets.date_input import DateInput
from widgets.limited_input import LimitedInput, LimitedTextArea

WORKFLOW = "followup_step"


class Step(StrEnum):
    ESCALATE = "上报"
    RESOLVE = "办结"
    RETURN_VISIT = "回访"
    CLOSE = "销号"
    REOPEN = "重新打开"
    LONG_TERM = "长期跟踪"


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text | area | date | method | person
    required: str = ""  # the error shown when left blank
    placeholder: str = ""
    max_length: int = 200


Apply = Callable[[FollowUp, dict[str, Any], Actor, FollowUpConfig], FollowUp]


@dataclass(frozen=True)
class StepSpec:
    fields: tuple[Field, ...]
    apply: Apply
    done: str  # the notice after saving


_ON = Field("on", "日期", "date")

SPECS: dict[Step, StepSpec] = {
    Step.ESCALATE: StepSpec(
        (
            Field(
                "to_whom",
                "上报给",
                required="请写明上报给谁",
                placeholder="如 基层党委、政工科、工会",
            ),
            Field("reason", "原因", required="请写明上报原因"),
            _ON,
        ),
        lambda fu, v, a, c: fx.escalate(fu, v["to_whom"], v["on"], v["reason"], a),
        "已上报",
    ),
    Step.RESOLVE: StepSpec(
        (Field("outcome", "办理结果", "area", required="请填写办理结果", max_length=2000), _ON),
        lambda fu, v, a, c: fx.resolve(fu, v["outcome"], v["on"], a, c),
        "已办结，等待回访",
    ),
    Step.RETURN_VISIT: StepSpec(
        (
            Field("effect", "回访情况", "area", required="请填写回访情况（效果）", max_length=2000),
            Field("appraisal", "对象评价", placeholder="如 满意"),
            Field("by", "回访人", "person"),
            Field("method", "方式", "method"),
            _ON,
        ),
        lambda fu, v, a, c: fx.return_visit(
            fu, v["on"], v["by"], v["effect"], method=v["method"], appraisal=v["appraisal"]
        ),
        "已回访，可以销号",
    ),
    Step.CLOSE: StepSpec(
        (Field("note", "说明", placeholder="可不填"), _ON),
        lambda fu, v, a, c: fx.close(fu, v["on"], a, v["note"]),
        "已销号",
    ),
    Step.REOPEN: StepSpec(
        (Field("reason", "原因", required="请写明重新打开的原因"), _ON),
        lambda fu, v, a, c: fx.reopen(fu, v["on"], a, v["reason"], c),
        "已重新打开",
    ),
    Step.LONG_TERM: StepSpec(
        (
            Field(
                "reason",
                "原因",
                required="请写明转为长期跟踪的原因",
                placeholder="如 政策限制、需长期治疗",
            ),
            _ON,
        ),
        lambda fu, v, a, c: fx.set_long_term(fu, v["on"], a, v["reason"], c),
        "已转为长期跟踪",
    ),
}


class StepForm(FollowupForm[FollowUp | None]):
    WORKFLOW = WORKFLOW

    def __init__(self, fu: FollowUp, step: Step, config: FollowUpConfig) -> None:
        super().__init__(f"{fu.id}:{step.name}")
        self.fu = fu
        self.step = step
        self.config = config
        self.spec = SPECS[step]
        self.TITLE_TEXT = f"{step}：{fu.person_name}"
        self.FIELDS = tuple(f.name for f in self.spec.fields)
        self.PERSON_FIELDS = {
            f.name: PersonFieldSpec(f"选择{f.label}", members_only=True)
            for f in self.spec.fields
            if f.kind == "person"
        }

    def compose_fields(self) -> ComposeResult:
        for f in self.spec.fields:
            fid = f"f-{f.name}"
            if f.kind == "date":
                widget: Any = DateInput(id=fid, compact=True)
            elif f.kind == "area":
                widget = LimitedTextArea(id=fid, compact=True, max_length=f.max_length)
            elif f.kind == "method":
                widget = Select(
                    [(m.value, m.value) for m in ContactMethod],
                    id=fid,
                    allow_blank=False,
                    compact=True,
                )
            else:
                hint = "拼音回车选人" if f.kind == "person" else f.placeholder
                widget = LimitedInput(
                    id=fid, placeholder=hint, max_length=f.max_length, compact=True
                )
            yield from row(f.label, f.name, widget)

    def default_values(self) -> dict[str, Any]:
        assert self.viewer is not None
        values: dict[str, Any] = {"on": format_date(zapp(self).today)}
        for f in self.spec.fields:
            if f.kind == "person":
                # The return visit is usually the 包保党员's.
                values[f.name] = PersonChoice(
                    self.fu.responsible_id, self.fu.responsible_name
                ).to_json()
            elif f.kind == "method":
                values[f.name] = ContactMethod.TALK.value
        return values

    def restore(self, values: dict[str, Any]) -> None:
        for f in self.spec.fields:
            if f.kind == "method":
                self.set_select(f.name, values.get(f.name) or ContactMethod.TALK.value)
            elif f.kind != "person":
                self.set_text(f.name, values.get(f.name))

    def values_for_draft(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in self.spec.fields:
            if f.kind == "method":
                out[f.name] = self.select_of(f.name)
            elif f.kind != "person":
                out[f.name] = self.text_of(f.name)
        return out

    def draft_title(self) -> str:
        return f"{self.step}：{self.fu.person_name}（{self.fu.found_on.isoformat()} 发现）"

    def picker_branch(self) -> str | None:
        return self.fu.branch_id

    def _collect(self, errors: dict[str, str]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for f in self.spec.fields:
            if f.kind == "date":
                values[f.name] = self.date_of(
                    f.name, errors, required=True, not_before=self.fu.found_on, not_after_today=True
                )
            elif f.kind == "method":
                values[f.name] = ContactMethod(self.select_of(f.name) or ContactMethod.TALK.value)
            elif f.kind == "person":
                chosen = self.chosen.get(f.name)
                if chosen is None:
                    errors[f.name] = f"请选择{f.label}"
                else:
                    values[f.name] = Actor(chosen.id, chosen.name)
            else:
                values[f.name] = self.text_of(f.name).strip()
                if f.required and not values[f.name]:
                    errors[f.name] = f.required
        return values

    def action_save(self) -> None:
        errors: dict[str, str] = {}
        values = self._collect(errors)
        if errors:
            self.show_errors(errors)
            return
        assert self.viewer is not None
        self.show_errors({})
        store, fu, apply, config = zapp(self).store, self.fu, self.spec.apply, self.config
        actor, ref, done_text = actor_of(self.viewer), self.draft_ref(), self.spec.done

        def save() -> FollowUp:
            try:
                return fu_service.take_step(store, fu, apply, values, actor, config, draft=ref)
            except FollowUpError as e:  # a rule refused it: worded for the user
                raise InvalidInput(str(e)) from e

        def done(saved: FollowUp) -> None:
            self.saved(saved, f"{done_text}：{saved.person_name}")

        # Waiting for another process's lock happens off the UI thread.
        self.save_in_background(save, done)
