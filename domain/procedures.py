"""Meeting procedures as data: editable templates seeded from the kinds table.

Templates are frozen pydantic models.  Editing returns a new template, so a
meeting keeps the exact copy of the procedure it was run with even after the
branch rewords or reorders its own template later.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.meeting_kinds import (
    GateCheck,
    MeetingKind,
    Phase,
    RecordKind,
    StepSeed,
    kind_spec,
)
from domain.text import Line, Note, RequiredLine

__all__ = [
    "PHASE_ORDER",
    "GateCheck",
    "Phase",
    "ProcedureTemplate",
    "RecordKind",
    "StepTemplate",
    "add_step",
    "default_template",
    "move_step",
    "remove_step",
    "reword_step",
]


PHASE_ORDER: dict[Phase, int] = {Phase.BEFORE: 0, Phase.DURING: 1, Phase.AFTER: 2}


class StepTemplate(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: RequiredLine = Field(max_length=60)
    phase: Phase
    title: RequiredLine = Field(max_length=200)
    guidance: Note = Field(default="", max_length=2000)
    hard_gate: bool = False  # ⚑ in the reference: "finish" is blocked until met
    gate_check: GateCheck | None = None
    # A ⚑ step that only applies "where a resolution is needed" may be skipped
    # with a reason; the others may not be skipped at all.
    skippable: bool = True
    records: frozenset[RecordKind] = frozenset({RecordKind.NOTES})

    @model_validator(mode="after")
    def _check_only_on_gates(self) -> StepTemplate:
        if self.gate_check is not None and not self.hard_gate:
            raise ValueError("只有 ⚑ 步骤才能设置检查方式")
        return self


class ProcedureTemplate(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: MeetingKind
    name: Line = Field(default="", max_length=100)
    version: int = Field(default=1, ge=1)
    steps: tuple[StepTemplate, ...] = ()

    @field_validator("steps")
    @classmethod
    def _keys_unique_and_phases_ordered(
        cls, steps: tuple[StepTemplate, ...]
    ) -> tuple[StepTemplate, ...]:
        keys = [s.key for s in steps]
        if len(set(keys)) != len(keys):
            raise ValueError("步骤编号重复")
        orders = [PHASE_ORDER[s.phase] for s in steps]
        if orders != sorted(orders):
            raise ValueError("步骤须按 会前、会中、会后 的顺序排列")
        return steps

    def step(self, key: str) -> StepTemplate:
        for s in self.steps:
            if s.key == key:
                return s
        raise KeyError(key)

    def index(self, key: str) -> int:
        for i, s in enumerate(self.steps):
            if s.key == key:
                return i
        raise KeyError(key)

    def phase_steps(self, phase: Phase) -> tuple[StepTemplate, ...]:
        return tuple(s for s in self.steps if s.phase is phase)

    @property
    def gates(self) -> tuple[StepTemplate, ...]:
        return tuple(s for s in self.steps if s.hard_gate)


# -- Editing: every function returns a new template ------------------------


def _with_steps(template: ProcedureTemplate, steps: list[StepTemplate]) -> ProcedureTemplate:
    return ProcedureTemplate(
        kind=template.kind, name=template.name, version=template.version + 1, steps=tuple(steps)
    )


def add_step(
    template: ProcedureTemplate, step: StepTemplate, *, after: str | None = None
) -> ProcedureTemplate:
    """Insert *step* after the step *after*, or at the end of its phase."""
    if any(s.key == step.key for s in template.steps):
        raise ValueError(f"步骤编号已存在：{step.key}")
    steps = list(template.steps)
    if after is not None:
        anchor = template.step(after)
        if anchor.phase is not step.phase:
            raise ValueError("只能插在同一阶段的步骤后面")
        pos = template.index(after) + 1
    else:
        pos = sum(1 for s in steps if PHASE_ORDER[s.phase] <= PHASE_ORDER[step.phase])
    steps.insert(pos, step)
    return _with_steps(template, steps)


def remove_step(template: ProcedureTemplate, key: str) -> ProcedureTemplate:
    """Remove a step.  ⚑ steps carry rules from the 条例/细则 and cannot be removed."""
    step = template.step(key)
    if step.hard_gate:
        raise ValueError(f"⚑ 步骤不能删除：{step.title}")
    return _with_steps(template, [s for s in template.steps if s.key != key])


def move_step(
    template: ProcedureTemplate, key: str, direction: Literal["up", "down"]
) -> ProcedureTemplate:
    """Swap a step with its neighbour inside the same phase.

    At the edge of its phase the template is returned unchanged: a step does
    not silently change from 会前 to 会中.
    """
    if direction not in ("up", "down"):
        raise ValueError("direction must be 'up' or 'down'")
    i = template.index(key)
    j = i - 1 if direction == "up" else i + 1
    steps = list(template.steps)
    if not 0 <= j < len(steps) or steps[j].phase is not steps[i].phase:
        return template
    steps[i], steps[j] = steps[j], steps[i]
    return _with_steps(template, steps)


def reword_step(
    template: ProcedureTemplate,
    key: str,
    *,
    title: str | None = None,
    guidance: str | None = None,
) -> ProcedureTemplate:
    update: dict[str, str] = {}
    if title is not None:
        update["title"] = title
    if guidance is not None:
        update["guidance"] = guidance
    template.step(key)  # KeyError for an unknown key
    steps = [
        StepTemplate.model_validate({**s.model_dump(), **update}) if s.key == key else s
        for s in template.steps
    ]
    return _with_steps(template, steps)


# -- The seeded templates: the steps live in domain.meeting_kinds.KINDS -------


def _step(seed: StepSeed) -> StepTemplate:
    return StepTemplate(
        key=seed.key,
        phase=seed.phase,
        title=seed.title,
        guidance=seed.guidance,
        hard_gate=seed.gate is not None,
        gate_check=seed.gate,
        skippable=seed.skippable,
        records=seed.records,
    )


def default_template(kind: MeetingKind) -> ProcedureTemplate:
    spec = kind_spec(kind)
    return ProcedureTemplate(
        kind=spec.kind,
        name=spec.procedure_name,
        version=1,
        steps=tuple(_step(s) for s in spec.steps),
    )
