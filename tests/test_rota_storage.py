"""storage.rota: plans, lectures, review steps, home items, demo data (SQLite rows)."""

from __future__ import annotations

import hashlib
import json
import random
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from domain.courseware import ReviewCheck, ReviewError, ReviewState
from domain.dashboard import Urgency
from domain.navigation import Place, go
from domain.rota import Cadence, PlanPeriod, RotaRequest, plan_rota, swap
from storage import lecture_home, org, people, rota
from storage.db import Store
from storage.demo_rota import add_demo_rota
from storage.errors import StaleRecordError
from tests import factories
from tests.factories import TODAY

pytestmark = pytest.mark.both_engines

AT = datetime(2026, 11, 22, 9, 0)


@pytest.fixture
def store(store: Store) -> Store:
    """A 党总支 over four branches, each with a secretary; no rota yet."""
    factories.org_tree(
        store, ("采油一队党支部", "采油二队党支部", "注水队党支部", "集输队党支部"),
        general="第一作业区党总支",
    )  # fmt: skip
    return store


def general_branch(store: Store) -> str:
    unit = org.find_by_name(store, "第一作业区党总支")
    assert unit is not None
    return unit.id


def plan_2027(store: Store, **kw) -> tuple[str, object]:
    gid = general_branch(store)
    request = RotaRequest(
        period=PlanPeriod(year=2027), lecturers=rota.default_lecturers(store, gid), **kw
    )
    return gid, plan_rota(request)


def test_default_lecturers_are_the_secretaries_of_the_branches(store: Store) -> None:
    gid = general_branch(store)
    lecturers = rota.default_lecturers(store, gid)
    branches = [b for b in org.children(store, gid)]
    assert [lec.branch for lec in lecturers] == [b.name for b in branches]
    for lec, b in zip(lecturers, branches, strict=True):
        sec = people.secretary_of(store, b.id)
        assert (lec.id, lec.name, lec.post) == (sec.id, sec.name, "书记")


def test_confirm_creates_one_lecture_per_slot(store: Store) -> None:
    gid, plan = plan_2027(store)
    record, lectures = rota.confirm_plan(store, gid, plan)
    row = store.query_one("SELECT * FROM rota_plans WHERE id=?", (record.id,))
    assert row["org_id"] == gid and row["period"] == "2027年度" and row["version"] == 1
    assert json.loads(row["data"])["plan"]["request"]["period"]["year"] == 2027
    rows = store.query("SELECT * FROM lectures WHERE plan_id=? ORDER BY date", (record.id,))
    assert [r["date"] for r in rows] == [s.date.isoformat() for s in plan.slots]
    assert [r["lecturer_id"] for r in rows] == [s.lecturer_id for s in plan.slots]
    assert {r["state"] for r in rows} == {"未提交"}
    data = json.loads(rows[2]["data"])
    assert data["slot_index"] == 2 and data["themed"] is True  # July: 七一
    assert data["needs_higher_review"] is True
    assert data["audience"] == "第一作业区党总支全体党员"
    assert len(lectures) == 4
    ids = tuple(lec.id for lec in lectures)
    audit = store.query(f"SELECT * FROM audit WHERE record_id IN ({','.join('?' * 4)})", ids)
    assert len(audit) == 4 and {(a["actor"], a["action"]) for a in audit} == {("tester", "create")}


def test_overlapping_plan_refused_and_nothing_written(store: Store) -> None:
    gid, plan = plan_2027(store)
    rota.confirm_plan(store, gid, plan)
    q1 = plan_rota(
        plan.request.model_copy(update={"period": PlanPeriod(year=2027, scope="第一季度")})
    )
    with pytest.raises(rota.RotaError, match="已有2027年度的党课计划"):
        rota.confirm_plan(store, gid, q1)
    assert store.scalar("SELECT count(*) FROM rota_plans") == 1
    assert store.scalar("SELECT count(*) FROM lectures") == 4
    assert rota.overlapping_plan(store, gid, PlanPeriod(year=2027, scope="第四季度"))
    assert rota.overlapping_plan(store, gid, PlanPeriod(year=2028)) is None


def test_a_plan_with_an_empty_slot_is_refused(store: Store) -> None:
    gid = general_branch(store)
    lecturers = rota.default_lecturers(store, gid)[:1]
    day = date(2027, 3, 5)
    plan = plan_rota(
        RotaRequest(
            period=PlanPeriod(year=2027), lecturers=lecturers, unavailable={lecturers[0].id: [day]}
        )
    )
    with pytest.raises(rota.RotaError, match="第1次（2027-03-05）尚未安排授课人"):
        rota.confirm_plan(store, gid, plan)
    assert store.scalar("SELECT count(*) FROM rota_plans") == 0


def test_previous_plan_continues_the_rotation(store: Store) -> None:
    gid, plan = plan_2027(store)
    plan = swap(plan, 0, 3)
    rota.confirm_plan(store, gid, plan)
    prev = rota.previous_lecturer_ids(store, gid, PlanPeriod(year=2028))
    assert prev == [s.lecturer_id for s in plan.slots]
    assert rota.previous_lecturer_ids(store, gid, PlanPeriod(year=2027)) == []


def confirmed_lecture(store: Store):
    gid, plan = plan_2027(store)
    _record, lectures = rota.confirm_plan(store, gid, plan)
    return lectures[0].model_copy(update={"topic": "安全生产与党员责任"})


def test_review_steps_are_versioned_documents_with_events(store: Store) -> None:
    lec = confirmed_lecture(store)
    lec = rota.apply_transition(store, lec, ReviewState.TOPIC_FILED, actor="张三", at=AT)
    lec = rota.apply_transition(store, lec, ReviewState.SUBMITTED, actor="张三", at=AT)
    with pytest.raises(ReviewError, match="须填写退回意见"):
        rota.apply_transition(store, lec, ReviewState.BRANCH_RETURNED, actor="王宣传", at=AT)
    lec = rota.apply_transition(
        store,
        lec,
        ReviewState.BRANCH_RETURNED,
        actor="王宣传",
        at=AT + timedelta(hours=2),
        comment="第5页数据请核实",
    )
    row = store.query_one("SELECT * FROM lectures WHERE id=?", (lec.id,))
    assert row["state"] == "初审退回" and row["version"] == 4
    events = json.loads(row["data"])["events"]
    assert [e["to_state"] for e in events] == ["已报题", "已提交", "初审退回"]
    assert events[-1]["actor"] == "王宣传" and events[-1]["comment"] == "第5页数据请核实"
    assert events[-1]["at"] == "2026-11-22T11:00:00"
    assert json.loads(row["data"])["topic"] == "安全生产与党员责任"

    with pytest.raises(ReviewError, match="不能从「初审退回」转为「待上级审核」"):
        rota.apply_transition(store, lec, ReviewState.AWAITING_HIGHER, actor="x", at=AT)
    stale = lec.model_copy(update={"version": 3})
    with pytest.raises(StaleRecordError, match="tester"):
        rota.apply_transition(store, stale, ReviewState.SUBMITTED, actor="张三", at=AT)
    assert rota.get_lecture(store, lec.id).version == 4  # refused steps wrote nothing
    assert store.scalar("SELECT count(*) FROM audit WHERE record_id=?", (lec.id,)) == 4


def test_approval_locks_the_courseware_file(store: Store, tmp_path: Path) -> None:
    slides = tmp_path / "党课课件.pptx"
    slides.write_bytes(b"slides v2")
    lec = confirmed_lecture(store).model_copy(update={"courseware_path": str(slides)})
    for to, who in ((ReviewState.TOPIC_FILED, "张三"), (ReviewState.SUBMITTED, "张三")):
        lec = rota.apply_transition(store, lec, to, actor=who, at=AT)
    with pytest.raises(ReviewError, match="初审清单未全部通过：保密"):
        rota.apply_transition(
            store,
            lec,
            ReviewState.AWAITING_HIGHER,
            actor="王宣传",
            at=AT,
            checklist=[c for c in ReviewCheck if c is not ReviewCheck.CONFIDENTIAL],
        )
    lec = rota.apply_transition(
        store, lec, ReviewState.AWAITING_HIGHER, actor="王宣传", at=AT, checklist=ReviewCheck
    )
    lec = rota.apply_transition(store, lec, ReviewState.APPROVED, actor="党委组织部", at=AT)
    data = json.loads(store.scalar("SELECT data FROM lectures WHERE id=?", (lec.id,)))
    assert data["locked"]["file_name"] == "党课课件.pptx"
    assert data["locked"]["sha256"] == hashlib.sha256(b"slides v2").hexdigest()
    assert data["events"][2]["checklist"] == {c.value: True for c in ReviewCheck}


def test_approval_with_a_missing_file_saves_nothing(store: Store, tmp_path: Path) -> None:
    lec = confirmed_lecture(store).model_copy(
        update={"courseware_path": str(tmp_path / "gone.pptx"), "needs_higher_review": False}
    )
    for to in (ReviewState.TOPIC_FILED, ReviewState.SUBMITTED):
        lec = rota.apply_transition(store, lec, to, actor="张三", at=AT)
    with pytest.raises(ReviewError, match="找不到课件文件"):
        rota.apply_transition(
            store, lec, ReviewState.APPROVED, actor="王宣传", at=AT, checklist=ReviewCheck
        )
    assert store.scalar("SELECT state FROM lectures WHERE id=?", (lec.id,)) == "已提交"


def test_mark_given_links_the_meeting(store: Store) -> None:
    lec = confirmed_lecture(store)
    saved = rota.mark_given(store, lec.id, "meeting-1", "应到 20 人，实到 18 人")
    data = json.loads(store.scalar("SELECT data FROM lectures WHERE id=?", (lec.id,)))
    assert data["meeting_id"] == "meeting-1"
    assert data["attendance"] == "应到 20 人，实到 18 人"
    assert data["given_on"] == lec.lecture_date.isoformat()
    assert saved.given and saved.version == 2
    with pytest.raises(Exception, match="找不到这次党课"):
        rota.mark_given(store, "nope", "m", "")


def test_home_items_late_steps_and_next_lecture(store: Store) -> None:
    gid = general_branch(store)
    lecturers = rota.default_lecturers(store, gid)
    plan = plan_rota(
        RotaRequest(
            period=PlanPeriod(year=2026, scope="第四季度"),
            cadence=Cadence.MONTHLY,
            lecturers=lecturers,
        )
    )
    _rec, lectures = rota.confirm_plan(store, gid, plan)
    by_date = {lec.lecture_date: lec for lec in lectures}
    assert sorted(by_date) == [date(2026, 10, 8), date(2026, 11, 6), date(2026, 12, 4)]

    items = lecture_home.home_items(store, TODAY)
    # 11-06 is past (its steps all missed, 20 days for the review, 30 for the
    # topic); 12-04's topic was due 11-20. Most overdue first.
    late = [i for i in items if i.urgency is Urgency.OVERDUE]
    assert [i.text.split("：")[0] for i in late] == ["选题报备逾期 30 天", "选题报备逾期 2 天"]
    assert late[1].due == date(2026, 11, 20)
    assert late[1].action == go(Place.LECTURE, by_date[date(2026, 12, 4)].id)
    assert late[0].owner == by_date[date(2026, 11, 6)].lecturer_name
    assert len(items) == 2  # the next lecture (12-04) is already listed as late

    nxt = by_date[date(2026, 12, 4)].model_copy(update={"topic": "安全生产"})
    rota.apply_transition(store, nxt, ReviewState.TOPIC_FILED, actor="x", at=AT)
    items = lecture_home.home_items(store, TODAY)
    assert items[-1].text.startswith("下一次党课：2026年12月4日（星期五）")
    assert "「安全生产」" in items[-1].text and items[-1].urgency is Urgency.DUE
    assert len(lecture_home.home_items(store, TODAY, limit=1)) == 1


def test_home_queries_use_the_date_index(store: Store) -> None:
    plan = store.query(
        "EXPLAIN QUERY PLAN SELECT * FROM lectures WHERE date >= ? AND date <= ?"
        " AND state NOT IN ('审核通过','已备案') ORDER BY date LIMIT 40",
        ("2026-10-01", "2026-12-01"),
    )
    assert any("lectures_date" in r["detail"] for r in plan)


def test_demo_rota_now_shows_held_lectures_and_one_overdue_item(store: Store) -> None:
    with store.write() as c:
        n = add_demo_rota(store, c, today=TODAY, rng=random.Random(7))
    assert n == 12
    with store.write() as c:  # once only
        assert add_demo_rota(store, c, today=TODAY, rng=random.Random(7)) == 0
    record = rota.list_plans(store)[0]
    assert record.org_name == "第一作业区党总支" and record.period.label == "2026年度"
    lectures = rota.lectures_of_plan(store, record.id)
    assert len({lec.lecturer_id for lec in lectures}) == 4
    # Late in the year a past lecture was held (filed) unless it was put off
    # while its courseware was still in review or sent back: once or twice.
    past = [lec for lec in lectures if lec.lecture_date < TODAY]
    put_off = [lec for lec in past if lec.state is not ReviewState.FILED]
    assert {lec.state for lec in put_off} <= {ReviewState.SUBMITTED, ReviewState.BRANCH_RETURNED}
    assert 1 <= len(put_off) <= 2 and len(past) - len(put_off) >= 8
    assert all(e.at.date() <= TODAY for lec in lectures for e in lec.events)
    items = lecture_home.home_items(store, TODAY)
    assert [i.urgency for i in items] == [Urgency.OVERDUE]
    assert "逾期 2 天" in items[0].text


def test_demo_rota_in_spring_shows_every_state(store: Store) -> None:
    spring = date(2026, 4, 1)
    with store.write() as c:
        add_demo_rota(store, c, today=spring, rng=random.Random(7))
    lectures = rota.lectures_of_plan(store, rota.list_plans(store)[0].id)
    assert {lec.state for lec in lectures} == set(ReviewState)
    returned = next(lec for lec in lectures if lec.state is ReviewState.BRANCH_RETURNED)
    assert returned.events[-1].comment and returned.events[-1].actor
    approved = [lec for lec in lectures if lec.state is ReviewState.APPROVED]
    assert approved[0].locked is not None
    assert all(e.at.date() <= spring for lec in lectures for e in lec.events)
