"""Procedure templates as data (docs/CHECKLISTS.md)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from domain.meeting_kinds import MeetingKind
from domain.procedures import (
    GateCheck,
    Phase,
    ProcedureTemplate,
    RecordKind,
    StepTemplate,
    add_step,
    default_template,
    move_step,
    remove_step,
    reword_step,
)

# The ⚑ steps of each checklist (docs/CHECKLISTS.md), by key.
EXPECTED_GATES: dict[MeetingKind, dict[str, GateCheck]] = {
    MeetingKind.MEMBER_ASSEMBLY: {"quorum": GateCheck.QUORUM, "vote": GateCheck.VOTE},
    MeetingKind.COMMITTEE: {"quorum": GateCheck.QUORUM, "decide": GateCheck.VOTE},
    MeetingKind.GROUP: {},
    MeetingKind.LECTURE: {"approved": GateCheck.CONFIRM},
    MeetingKind.THEME_DAY: {},
    MeetingKind.ORG_LIFE: {},
    MeetingKind.APPRAISAL: {},
    MeetingKind.ADMISSION: {
        "candidate": GateCheck.CONFIRM,
        "vetting": GateCheck.CONFIRM,
        "training": GateCheck.CONFIRM,
        "review": GateCheck.CONFIRM,
        "prereview": GateCheck.CONFIRM,
        "sponsors": GateCheck.CONFIRM,
        "quorum": GateCheck.QUORUM,
        "vote": GateCheck.VOTE,
        "resolution": GateCheck.DECISION,
    },
    MeetingKind.CONFIRMATION: {
        "expired": GateCheck.PROBATION_ENDED,
        "application": GateCheck.CONFIRM,
        "opinions": GateCheck.CONFIRM,
        "review": GateCheck.CONFIRM,
        "quorum": GateCheck.QUORUM,
        "vote": GateCheck.VOTE,
    },
    MeetingKind.ELECTION: {
        "quorum": GateCheck.QUORUM,
        "returned": GateCheck.BALLOTS,
        "result": GateCheck.ELECTION_RESULT,
    },
}


@pytest.mark.parametrize("kind", list(MeetingKind))
def test_every_kind_has_a_template(kind: MeetingKind) -> None:
    t = default_template(kind)
    assert t.kind is kind and t.version == 1 and t.name
    assert len(t.steps) >= 5
    assert {s.phase for s in t.steps} == set(Phase)  # 会前, 会中 and 会后 all present
    keys = [s.key for s in t.steps]
    assert len(keys) == len(set(keys))
    assert all(s.title for s in t.steps)


@pytest.mark.parametrize("kind", list(MeetingKind))
def test_gates_match_the_reference(kind: MeetingKind) -> None:
    t = default_template(kind)
    assert {s.key: s.gate_check for s in t.gates} == EXPECTED_GATES[kind]


def test_only_resolution_dependent_gates_are_skippable() -> None:
    skippable = {
        (kind, s.key) for kind in MeetingKind for s in default_template(kind).gates if s.skippable
    }
    assert skippable == {(MeetingKind.MEMBER_ASSEMBLY, "vote"), (MeetingKind.COMMITTEE, "decide")}
    # Ordinary steps can always be skipped with a reason.
    assert all(
        s.skippable for k in MeetingKind for s in default_template(k).steps if not s.hard_gate
    )


def test_steps_capture_what_they_need() -> None:
    admission = default_template(MeetingKind.ADMISSION)
    assert RecordKind.VOTE in admission.step("vote").records
    assert RecordKind.DECISION in admission.step("resolution").records
    assert RecordKind.SPEAKERS in admission.step("discuss").records
    election = default_template(MeetingKind.ELECTION)
    for key in ("returned", "count", "result"):
        assert RecordKind.ELECTION in election.step(key).records
    assert RecordKind.VOTE in election.step("rules").records
    committee = default_template(MeetingKind.COMMITTEE)
    assert RecordKind.DECISION in committee.step("assign").records


def test_seeded_text_is_faithful_to_the_reference() -> None:
    a = default_template(MeetingKind.MEMBER_ASSEMBLY)
    assert "条例第十一条" in a.step("quorum").guidance
    assert "不强行表决" in a.step("vote").guidance
    adm = default_template(MeetingKind.ADMISSION)
    assert adm.step("vote").title == "无记名投票表决"
    assert "只有正式党员有表决权" in adm.step("vote").guidance
    assert "讨论一个、表决一个" in adm.step("vote").guidance
    assert "留党察看" in adm.step("sponsors").guidance
    assert "24学时" in adm.step("training").title
    cf = default_template(MeetingKind.CONFIRMATION)
    g = cf.step("resolution").guidance
    assert "按期转正" in g and "延长预备期" in g and "取消预备党员资格" in g
    assert "预备期未满不得召开" in cf.step("expired").guidance
    el = default_template(MeetingKind.ELECTION)
    assert "五分之四" in el.step("quorum").guidance
    assert "差额不少于20%" in el.step("nominate").guidance
    assert "不得委托投票" in el.step("ballots").guidance
    assert "茶话会" in default_template(MeetingKind.THEME_DAY).step("theme").guidance
    assert (
        "优秀（一般不超过三分之一）"
        in default_template(MeetingKind.APPRAISAL).step("org_rating").guidance
    )
    assert "半数以上委员到会" in default_template(MeetingKind.COMMITTEE).step("quorum").title


def test_phases_follow_the_checklists() -> None:
    a = default_template(MeetingKind.MEMBER_ASSEMBLY)
    assert [s.key for s in a.phase_steps(Phase.BEFORE)] == ["plan", "notify", "materials"]
    assert [s.key for s in a.phase_steps(Phase.AFTER)] == ["minutes", "report_up", "convey"]
    adm = default_template(MeetingKind.ADMISSION)
    assert all(s.hard_gate for s in adm.phase_steps(Phase.BEFORE))  # prerequisites


# -- Editing a copy --------------------------------------------------------


def _custom(key: str = "extra", phase: Phase = Phase.DURING) -> StepTemplate:
    return StepTemplate(key=key, phase=phase, title="唱国歌", guidance="全体起立")


def test_add_step_returns_a_new_template() -> None:
    original = default_template(MeetingKind.MEMBER_ASSEMBLY)
    edited = add_step(original, _custom(), after="agenda")
    assert edited is not original
    assert edited.version == original.version + 1
    assert len(edited.steps) == len(original.steps) + 1
    assert edited.index("extra") == original.index("agenda") + 1
    assert "extra" not in {s.key for s in original.steps}
    assert original == default_template(MeetingKind.MEMBER_ASSEMBLY)


def test_add_step_without_anchor_goes_to_the_end_of_its_phase() -> None:
    t = default_template(MeetingKind.MEMBER_ASSEMBLY)
    edited = add_step(t, _custom("pre", Phase.BEFORE))
    assert [s.key for s in edited.phase_steps(Phase.BEFORE)][-1] == "pre"
    assert edited.steps[edited.index("pre") + 1].phase is Phase.DURING
    edited = add_step(t, _custom("post", Phase.AFTER))
    assert edited.steps[-1].key == "post"


def test_add_step_rejects_duplicates_and_cross_phase_anchor() -> None:
    t = default_template(MeetingKind.MEMBER_ASSEMBLY)
    with pytest.raises(ValueError):
        add_step(t, _custom("quorum"))
    with pytest.raises(ValueError):
        add_step(t, _custom("x", Phase.AFTER), after="agenda")
    with pytest.raises(KeyError):
        add_step(t, _custom(), after="nope")


def test_remove_step_keeps_gates() -> None:
    t = default_template(MeetingKind.MEMBER_ASSEMBLY)
    edited = remove_step(t, "materials")
    assert "materials" not in {s.key for s in edited.steps}
    assert "materials" in {s.key for s in t.steps}
    with pytest.raises(ValueError, match="⚑"):
        remove_step(t, "quorum")


def test_move_step_within_its_phase() -> None:
    t = default_template(MeetingKind.MEMBER_ASSEMBLY)
    up = move_step(t, "notify", "up")
    assert [s.key for s in up.phase_steps(Phase.BEFORE)] == ["notify", "plan", "materials"]
    down = move_step(up, "notify", "down")
    assert [s.key for s in down.phase_steps(Phase.BEFORE)] == ["plan", "notify", "materials"]
    assert down.version == t.version + 2
    # At a phase edge nothing changes: a step never slides into another phase.
    assert move_step(t, "materials", "down") is t
    assert move_step(t, "plan", "up") is t
    assert move_step(t, "convey", "down") is t
    with pytest.raises(ValueError):
        move_step(t, "plan", "left")


def test_reword_step_leaves_the_original() -> None:
    t = default_template(MeetingKind.COMMITTEE)
    edited = reword_step(t, "open", title="书记主持开会", guidance="说明议题")
    assert edited.step("open").title == "书记主持开会"
    assert edited.step("open").guidance == "说明议题"
    assert t.step("open").title == "书记主持开会，说明议题和讨论要求，确定记录人"
    only_guidance = reword_step(t, "open", guidance="新说明")
    assert only_guidance.step("open").title == t.step("open").title
    with pytest.raises(ValidationError):
        reword_step(t, "open", title="  ")  # a step needs a title
    with pytest.raises(KeyError):
        reword_step(t, "missing", title="x")


def test_templates_are_immutable_and_round_trip() -> None:
    t = default_template(MeetingKind.ELECTION)
    with pytest.raises(ValidationError):
        t.name = "改名"
    with pytest.raises(ValidationError):
        t.steps[0].title = "改名"
    assert ProcedureTemplate.model_validate_json(t.model_dump_json()) == t


def test_template_validation() -> None:
    before = StepTemplate(key="a", phase=Phase.BEFORE, title="甲")
    during = StepTemplate(key="b", phase=Phase.DURING, title="乙")
    with pytest.raises(ValidationError):
        ProcedureTemplate(kind=MeetingKind.GROUP, steps=(during, before))
    with pytest.raises(ValidationError):
        ProcedureTemplate(kind=MeetingKind.GROUP, steps=(before, before))
    with pytest.raises(ValidationError):
        StepTemplate(key="c", phase=Phase.DURING, title="丙", gate_check=GateCheck.QUORUM)
