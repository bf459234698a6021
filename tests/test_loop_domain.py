"""问题清单 states and the 党总支 tasks' quarterly score: pure rules."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.dues import DuesRecord
from domain.periods import Period
from domain.problems import (
    EscalationConfig,
    Problem,
    ProblemRuleError,
    ProblemSource,
    ProblemState,
    carried_into,
    check_complete,
    entry_of,
    escalated,
    start_fixing,
    submit_for_verification,
    verify,
)
from domain.tasks import (
    BranchTask,
    Task,
    TaskMeasure,
    TaskReport,
    TaskScoreConfig,
    in_quarter,
    online_share,
    report,
    score_branch,
)

D = dt.date
TODAY = D(2026, 11, 22)


def _problem(**kw: object) -> Problem:
    base: dict[str, object] = dict(
        branch_id="b1", found_on=D(2026, 11, 1), text="灭火器过期", measures="更换",
        owner_id="p1", owner_name="张伟", deadline=D(2026, 11, 20), verifier_id="p9",
        verifier_name="王芳",
    )  # fmt: skip
    base.update(kw)
    return Problem.model_validate(base)


def test_a_problem_needs_owner_measures_deadline_and_verifier() -> None:
    with pytest.raises(ProblemRuleError, match="整改措施、整改时限、验证人"):
        check_complete(_problem(measures="", deadline=None, verifier_id=None))
    check_complete(_problem())


def test_states_go_open_fixing_verifying_closed_and_only_the_verifier_closes() -> None:
    p = start_fixing(_problem())
    assert p.state is ProblemState.FIXING
    with pytest.raises(ProblemRuleError, match="整改情况"):
        submit_for_verification(p, " ")
    p = submit_for_verification(p, "已更换")
    assert p.state is ProblemState.VERIFYING
    with pytest.raises(ProblemRuleError, match="只有验证人王芳本人"):
        verify(p, "p1", TODAY, passed=True)  # the owner may not close their own problem
    with pytest.raises(ProblemRuleError, match="只有验证人"):
        verify(p, None, TODAY, passed=True)  # nobody proven at the keyboard
    back = verify(p, "p9", TODAY, passed=False, note="未见登记表")
    assert back.state is ProblemState.FIXING and back.verify_note == "未见登记表"
    closed = verify(submit_for_verification(back, "补登记"), "p9", TODAY, passed=True)
    assert closed.state is ProblemState.CLOSED and closed.verified_on == TODAY
    assert not closed.is_open and closed.days_overdue(TODAY) == 0
    with pytest.raises(ProblemRuleError):
        start_fixing(closed)


def test_overdue_escalates_after_the_configured_days() -> None:
    assert _problem().days_overdue(TODAY) == 2
    assert escalated(D(2026, 11, 20), True, TODAY)
    assert not escalated(D(2026, 11, 20), True, TODAY, EscalationConfig(escalate_after_days=3))
    assert not escalated(D(2026, 11, 22), True, TODAY)
    assert not escalated(D(2026, 11, 1), False, TODAY)


def test_a_meeting_carries_what_was_open_on_its_day_but_not_its_own() -> None:
    before = entry_of(_problem(found_on=D(2026, 11, 1), meeting_id="m1"))
    own = entry_of(_problem(found_on=D(2026, 11, 1), meeting_id="m2"))
    later = entry_of(_problem(found_on=D(2026, 11, 10)))
    closed_after = entry_of(
        _problem(state=ProblemState.CLOSED, verified_on=D(2026, 11, 12))
    )
    closed_before = entry_of(_problem(state=ProblemState.CLOSED, verified_on=D(2026, 11, 3)))
    carried = carried_into([before, own, later, closed_after, closed_before], D(2026, 11, 5), "m2")
    assert carried == [before, closed_after]


def _task(**kw: object) -> Task:
    base: dict[str, object] = dict(
        general_id="g", title="线上缴费", assigned_on=D(2026, 10, 1), due=D(2026, 12, 31),
        branch_ids=["b1", "b2"], measure=TaskMeasure.ONLINE_DUES, threshold_pct=95,
    )  # fmt: skip
    base.update(kw)
    return Task.model_validate(base)


def _dues(month: D, online: bool, paid: bool = True) -> DuesRecord:
    return DuesRecord(
        person_id="p", month=month, base_fen=1, due_fen=100, paid_fen=100 if paid else 0,
        paid_on=month if paid else None, online=online,
    )  # fmt: skip


def test_online_share_counts_paid_months_in_the_period() -> None:
    q = Period.quarter(2026, 4)
    recs = [_dues(D(2026, 10, 1), True)] * 19 + [_dues(D(2026, 11, 1), False)]
    recs += [_dues(D(2026, 9, 1), False)] * 5  # last quarter: not counted
    recs += [_dues(D(2026, 12, 1), False, paid=False)]  # not paid: not counted
    assert online_share(recs, q) == 95.0
    assert online_share([], q) is None


def test_a_measure_needs_a_target_and_the_due_date_follows_the_assignment() -> None:
    with pytest.raises(ValueError, match="目标值"):
        _task(threshold_pct=None)
    with pytest.raises(ValueError, match="完成时限"):
        _task(due=D(2026, 9, 1))


def test_quarterly_score_from_on_time_and_measure() -> None:
    dues_task = _task()
    plain = _task(title="报送小结", due=D(2026, 11, 15), measure=None, threshold_pct=None)
    last_quarter = _task(title="旧任务", due=D(2026, 9, 30), assigned_on=D(2026, 9, 1))
    on_time = report(None, plain, "b1", "已报送", True, D(2026, 11, 14))
    late = report(None, plain, "b2", "已报送", True, D(2026, 11, 18))
    dues_done = report(None, dues_task, "b1", "已达标", True, D(2026, 12, 20))
    items = [
        BranchTask(plain, "b1", "一支部", on_time),
        BranchTask(dues_task, "b1", "一支部", dues_done, measure_value=96.0),
        BranchTask(plain, "b2", "二支部", late),
        BranchTask(dues_task, "b2", "二支部", None, measure_value=92.9),
    ]
    q = Period.quarter(2026, 4)
    assert not in_quarter(last_quarter, q) and in_quarter(plain, q)
    one = score_branch(items, "b1", "一支部")
    # 60 (plain on time) + 60 + 40 (dues task on time, 96 % ≥ 95 %) of 160.
    assert (one.points, one.max_points, one.score) == (160, 160, 100.0)
    two = score_branch(items, "b2", "二支部")
    # Late (0) and not done, 92.9 % < 95 % (0): nothing of 160.
    assert (two.on_time, two.measures_met, two.points, two.score) == (0, 0, 0, 0.0)
    weighted = score_branch(items, "b2", "二支部", TaskScoreConfig(on_time_points=0))
    assert weighted.max_points == 40
    assert score_branch(items, "b3", "三支部").score is None
    assert items[2].state(TODAY) == "逾期完成"
    assert items[3].state(D(2027, 1, 3)) == "逾期3天" and items[3].overdue(D(2027, 1, 3))


def test_a_report_is_for_a_branch_the_task_went_to() -> None:
    t = _task()
    with pytest.raises(ValueError, match="未下达"):
        report(None, t, "b9", "x", False, TODAY)
    first = report(None, t, "b1", "推广中", False, TODAY)
    assert (first.done, first.done_on) == (False, None)
    done = report(first, t, "b1", "已完成", True, D(2026, 12, 1))
    again = report(done, t, "b1", "已完成（补充）", True, D(2026, 12, 5))
    assert again.done_on == D(2026, 12, 1)  # the day it was first reported done stays
    assert isinstance(again, TaskReport) and again.id == first.id
    assert ProblemSource.DECISION.value == "会议决议"


def test_the_config_file_sets_escalation_and_the_check_points(tmp_path, monkeypatch) -> None:
    from services.settings import ConfigError, load_settings

    home = tmp_path / "cfg"
    (home / "zhibu").mkdir(parents=True)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    monkeypatch.setenv("ZHIBU_SYSTEM_CONFIG", str(tmp_path / "none.toml"))
    path = home / "zhibu" / "config.toml"
    path.write_text("[rules.problems]\nescalate_after_days = 3\n"
                    "[rules.tasks]\non_time_points = 50\nmeasure_points = 50\n",
                    encoding="utf-8")  # fmt: skip
    s = load_settings()
    assert s.rules.problems.escalate_after_days == 3
    assert (s.rules.tasks.on_time_points, s.rules.tasks.measure_points) == (50, 50)
    path.write_text("[rules.tasks]\nbonus = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        load_settings()
