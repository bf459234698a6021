"""The home screen's light providers agree with the model-based code they stand
in for: same lectures, arrears and action items, on data built here."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from domain.action_codes import ActionKind
from domain.arrears import ArrearsLevel, arrears_level, run_ending_at
from domain.compliance import ComplianceConfig, Requirement
from domain.courseware import Lecture, ReviewState, overdue_steps
from domain.lecture_deadlines import DeadlineConfig, late_steps
from domain.meeting_kinds import MeetingKind
from domain.meeting_rules import AttendanceState
from domain.navigation import Place, go
from storage import action_home, action_items, compliance, dues_home, lecture_home, rota
from storage import dues as dues_store
from storage.db import Store
from storage.demo_rota import add_demo_rota
from storage.records import load_document
from tests import factories
from tests.factories import TODAY

pytestmark = pytest.mark.both_engines

def test_lecture_lines_read_the_same_lecture_as_the_model(store: Store) -> None:
    _top, branches = factories.org_tree(
        store, ("采油一队党支部", "采油二队党支部", "注水队党支部", "集输队党支部"),
        general="第一作业区党总支",
    )  # fmt: skip
    # The demo's rota generator, early in the year: a lecture in every review
    # state (late in the year the past ones are held, and few are left ahead).
    with store.write() as c:
        assert add_demo_rota(store, c, today=date(2026, 4, 1), rng=random.Random(7)) == 12
    held = factories.finished_meeting(store, branches[0], MeetingKind.LECTURE, date(2026, 1, 9))
    first = store.query_one("SELECT id FROM lectures ORDER BY date LIMIT 1")
    assert first
    rota.mark_given(store, first["id"], held.id, "应到 10 人，实到 9 人")
    assert {r["state"] for r in store.query("SELECT state FROM lectures")} == {
        str(s) for s in ReviewState
    }
    rows = store.query("SELECT * FROM lectures")
    assert len(rows) >= 10
    light = {
        r["id"]: lecture_home._Lecture.of(r)
        for r in store.query(f"{lecture_home._COLUMNS} ORDER BY date")
    }
    for row in rows:
        lec = load_document(row, Lecture)
        seen = light[lec.id]
        assert (seen.lecture_date, seen.state, seen.given) == (
            lec.lecture_date,
            lec.state,
            lec.given,
        )
        assert (seen.lecturer_name, seen.branch_name, seen.topic) == (
            lec.lecturer_name,
            lec.branch_name,
            lec.topic,
        )
        for day in (TODAY, lec.lecture_date, lec.lecture_date - timedelta(days=12)):
            assert late_steps(seen.lecture_date, seen.state, day) == overdue_steps(lec, day)
    assert any(r.given for r in light.values()) and any(not r.given for r in light.values())


def test_arrears_lines_match_the_branch_arrears_of_the_dues_module(store: Store) -> None:
    b = factories.branch(store)
    warn, lapse = b.members[4], b.members[3]
    factories.dues(store, b, factories.months(date(2026, 1, 1), date(2026, 11, 1)), unpaid={
        warn.id: factories.months(date(2026, 8, 1), date(2026, 11, 1)),
        lapse.id: factories.months(date(2026, 5, 1), date(2026, 11, 1)),
    })  # fmt: skip
    branches = compliance.home_branch_ids(store)
    assert branches == [b.id]
    alerts = dues_store.branch_arrears(store, branches, TODAY)
    items = dues_home.home_items(store, TODAY)
    assert {a.person_id for a in alerts} == {warn.id, lapse.id}
    assert [i.action for i in items] == [go(Place.MEMBER_RECORD, a.person_id) for a in alerts]
    for item, a in zip(items, alerts, strict=True):
        assert f"已连续{a.consecutive_months}个月" in item.text
        assert a.alert is not None
        assert ("请核实有无正当理由" in item.text) == (a.alert.level is ArrearsLevel.LAPSE)
    assert {a.alert.level for a in alerts if a.alert} == {ArrearsLevel.WARN, ArrearsLevel.LAPSE}


def test_action_lines_list_the_open_items_in_deadline_order(store: Store) -> None:
    b = factories.branch(store)
    # Decisions due 30 days after each meeting: two overdue on TODAY, one not yet;
    # the absentee of the assembly owes a make-up study, listed per branch elsewhere.
    factories.finished_meeting(store, b, day=date(2026, 9, 4))
    factories.finished_meeting(store, b, day=date(2026, 11, 10))
    absent = {b.members[4].id: AttendanceState.LEAVE}
    factories.finished_meeting(store, b, MeetingKind.MEMBER_ASSEMBLY, date(2026, 10, 9),
                               absent=absent)  # fmt: skip
    items = action_home.home_items(store, TODAY)
    decisions = [a for a in action_items.open_actions(store, limit=10_000)
                 if a.kind is ActionKind.DECISION]  # fmt: skip
    decisions.sort(key=lambda a: (a.deadline is None, a.deadline or TODAY, a.id))
    expected = decisions[: action_home.HOME_LIMIT]
    assert len(items) == len(expected) >= 3
    assert [i.action for i in items] == [go(Place.ACTION_ITEM, a.id) for a in expected]
    for item, a in zip(items, expected, strict=True):
        assert item.section == str(a.kind)
        late = a.days_overdue(TODAY)
        assert (f"逾期 {late} 天" in item.text) == bool(late)
    # 补学 is listed per branch (storage.make_up_home), not per person here
    assert {i.section for i in items} == {str(ActionKind.DECISION)}
    assert any("逾期" in i.text for i in items) and not all("逾期" in i.text for i in items)


def test_arrears_run_and_level() -> None:
    months = [date(2026, 10, 1), date(2026, 9, 1), date(2026, 8, 1), date(2026, 6, 1)]
    assert run_ending_at(months, date(2026, 10, 1)) == 3
    assert run_ending_at(months, date(2026, 10, 20)) == 3  # any day of the cutoff month
    assert run_ending_at(months, date(2026, 11, 1)) == 0  # November is not unpaid
    assert run_ending_at([], date(2026, 10, 1)) == 0
    assert (arrears_level(2), arrears_level(3), arrears_level(6)) == (
        None,
        ArrearsLevel.WARN,
        ArrearsLevel.LAPSE,
    )
    assert arrears_level(4, warn=5, lapse=8) is None


def test_configuration_checks_survive_the_move_to_dataclasses() -> None:
    with pytest.raises(ValueError, match="每期次数至少为 1"):
        Requirement(key="k", label="支委会", kind="支部委员会", cadence="每月", times=0)
    with pytest.raises(ValueError, match="季度只能是 1–4"):
        Requirement(key="k", label="组织生活会", kind="组织生活会", cadence="每年", usual_quarter=5)
    with pytest.raises(ValueError):
        Requirement(key="k", label="x", kind="x", cadence="每两周")  # not a cadence
    with pytest.raises(ValueError, match="0 到 1"):
        ComplianceConfig(min_existing_fraction=1.5)
    with pytest.raises(ValueError, match="0 到 120"):
        DeadlineConfig(topic_days=200)
