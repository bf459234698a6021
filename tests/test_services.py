"""Use-case services on a real temporary database: what reached SQLite, and
that every refusal arrives as a services.errors.DomainError."""

from __future__ import annotations

import dataclasses
import datetime as dt
from datetime import date
from pathlib import Path

import pytest

from domain.courseware import ReviewState
from domain.dues import record_payment
from domain.followups import Actor, QuickForm, make_contact
from domain.meeting_kinds import MeetingKind
from domain.meeting_rules import AttendanceState
from domain.meetings import MeetingStatus, mark_step_done, new_vote
from domain.org import OrgKind, OrgUnit
from domain.people import CommitteePost, Person, PoliticalStatus
from domain.rota import PlanPeriod, RotaRequest, plan_rota
from services import dues as dues_service
from services import followups as fu_service
from services import meetings as meeting_service
from services import rota as rota_service
from services.errors import DomainError, NotFound, Refused, Stale, StorageFailed
from storage import dues as dues_store
from storage import followups as fu_store
from storage import org, people, rota
from storage.db import Store

pytestmark = pytest.mark.both_engines

TODAY = date(2026, 11, 22)
NOW = dt.datetime(2026, 11, 22, 16, 0)


def make_branch(store: Store, name: str = "测试一支部", parent_id: str | None = None) -> OrgUnit:
    """A branch: a committee of three, two more members, two workers (群众)."""
    branch = org.save(store, OrgUnit(name=name, kind=OrgKind.BRANCH, parent_id=parent_id))
    people.save(
        store,
        Person(name=f"{name[:2]}书记", status=PoliticalStatus.FULL, branch_id=branch.id,
               post=CommitteePost.SECRETARY),
    )  # fmt: skip
    posts = [CommitteePost.DEPUTY, CommitteePost.ORGANISATION, None, None]
    for i, post in enumerate(posts):
        people.save(
            store,
            Person(name=f"{name[:2]}党员{i}", status=PoliticalStatus.FULL, branch_id=branch.id,
                   post=post),
        )  # fmt: skip
    for i in range(2):
        people.save(
            store, Person(name=f"{name[:2]}群众{i}", status=PoliticalStatus.MASSES, branch_id=branch.id)
        )
    return branch


def _count(store: Store, table: str) -> int:
    return int(store.scalar(f"SELECT count(*) FROM {table}"))


# -- meetings ------------------------------------------------------------------


def test_start_meeting_puts_the_secretary_in_the_chair(store: Store) -> None:
    branch = make_branch(store)
    m = meeting_service.start_meeting(store, MeetingKind.COMMITTEE, branch, TODAY)
    secretary = people.secretary_of(store, branch.id)
    assert secretary is not None and m.chair_id == secretary.id
    assert m.org_id == branch.id and _count(store, "meetings") == 0  # nothing saved


def _complete(m):
    m = m.model_copy(
        update={
            "recorder_id": m.attendance[1].person_id,
            "recorder_name": m.attendance[1].name,
            "place": "会议室",
            "start_time": dt.time(14, 30),
            "end_time": dt.time(16, 0),
            "topics": ["学习上级文件"],
        }
    )
    for entry in m.attendance:  # a new sign-in sheet assumes nobody present
        entry.state = AttendanceState.PRESENT
    m.votes.append(new_vote(m, "研究党日安排", yes=len(m.attendance)))
    for step in m.procedure.steps:
        m = mark_step_done(m, step.key, NOW)
    return m


def test_finish_saves_the_meeting_and_a_correction_supersedes_it(
    store: Store, tmp_path: Path
) -> None:
    branch = make_branch(store)
    draft = meeting_service.start_meeting(store, MeetingKind.COMMITTEE, branch, TODAY)
    with pytest.raises(meeting_service.NotReady) as not_ready:
        meeting_service.finish_meeting(store, draft, NOW)
    assert not_ready.value.problems and isinstance(not_ready.value, DomainError)
    assert _count(store, "meetings") == 0

    saved = meeting_service.finish_meeting(store, _complete(draft), NOW)
    row = store.query_one("SELECT status, org_id FROM meetings WHERE id=?", (saved.id,))
    assert row == {"status": MeetingStatus.FINISHED.value, "org_id": branch.id}
    assert meeting_service.open_meeting(store, saved.id).finished
    with pytest.raises(Refused, match="会议已完成"):
        meeting_service.finish_meeting(store, saved, NOW)

    path = meeting_service.export_meeting(saved, tmp_path / "out")
    assert path.exists() and path.parent == tmp_path / "out" and path.suffix == ".docx"

    fix = meeting_service.open_correction(store, saved.id)
    assert fix.id != saved.id and fix.supersedes_id == saved.id
    assert meeting_service.correction_in_progress(store, saved.id) is not None
    meeting_service.finish_meeting(store, _complete(fix), NOW)
    assert store.scalar("SELECT superseded FROM meetings WHERE id=?", (saved.id,)) == 1
    with pytest.raises(NotFound):
        meeting_service.open_meeting(store, "nope")


# -- rota ------------------------------------------------------------------------


def test_confirm_plan_then_move_a_lecture_through_review(store: Store) -> None:
    general = org.save(store, OrgUnit(name="测试党总支", kind=OrgKind.GENERAL_BRANCH))
    make_branch(store, "甲队党支部", general.id)
    make_branch(store, "乙队党支部", general.id)
    plan = plan_rota(
        RotaRequest(period=PlanPeriod(year=2027), lecturers=rota.default_lecturers(store, general.id))
    )
    record, lectures = rota_service.confirm_plan(store, general.id, plan)
    assert _count(store, "lectures") == len(lectures) == len(plan.slots)
    with pytest.raises(StorageFailed):  # the same months again: refused, nothing written
        rota_service.confirm_plan(store, general.id, plan)
    assert _count(store, "rota_plans") == 1

    lecture = rota_service.get_lecture(store, lectures[0].id)
    with pytest.raises(Refused, match="题目"):  # filing a topic before there is one
        rota_service.move_lecture(store, lecture, ReviewState.TOPIC_FILED, actor="书记", at=NOW)
    lecture = rota_service.save_lecture(store, lecture.model_copy(update={"topic": "学习党章"}))
    assert store.scalar("SELECT version FROM lectures WHERE id=?", (lecture.id,)) == 2
    moved = rota_service.move_lecture(
        store, lecture, ReviewState.TOPIC_FILED, actor=lecture.lecturer_name, at=NOW
    )
    assert store.scalar("SELECT state FROM lectures WHERE id=?", (lecture.id,)) == moved.state.value
    assert moved.state is ReviewState.TOPIC_FILED
    with pytest.raises(Stale):  # the version read before the step is now stale
        rota_service.save_lecture(store, lecture.model_copy(update={"topic": "新题目"}))
    with pytest.raises(NotFound):
        rota_service.get_lecture(store, "nope")


# -- follow-ups --------------------------------------------------------------------


def test_file_a_case_and_log_a_contact(store: Store) -> None:
    branch = make_branch(store)
    roster = people.list_branch(store, branch.id)
    worker = next(p for p in roster if p.status is PoliticalStatus.MASSES)
    member = next(p for p in roster if p.is_member)
    cat = fu_store.catalogue(store, branch.id)
    form = QuickForm(
        person_id=worker.id,
        person_name=worker.name,
        trigger_code="T2",
        summary="未戴安全帽",
        responsible_id=member.id,
        responsible_name=member.name,
        found_on=TODAY,
    )
    assert fu_service.check_quick_form(store, form, cat, branch_id=branch.id, today=TODAY) == {}
    with pytest.raises(Refused):
        fu_service.file_quick(
            store, form.model_copy(update={"summary": ""}), cat, branch_id=branch.id, today=TODAY
        )
    assert _count(store, "followups") == 0
    fu = fu_service.file_quick(store, form, cat, branch_id=branch.id, today=TODAY)
    assert store.scalar("SELECT person_id FROM followups WHERE id=?", (fu.id,)) == worker.id

    contact = make_contact(TODAY, Actor(member.id, member.name), content="谈心")
    after = fu_service.log_contact(store, fu, contact, fu_store.config(store, branch.id))
    assert after.next_contact is not None and after.next_contact > TODAY
    stored = fu_store.get(store, fu.id)
    assert stored is not None and stored.next_contact == after.next_contact
    with pytest.raises(Stale):  # saving from the version before the contact
        fu_service.log_contact(store, fu, contact, fu_store.config(store, branch.id))


# -- dues ------------------------------------------------------------------------


def test_record_month_all_or_nothing(store: Store) -> None:
    branch = make_branch(store)
    december = date(2026, 12, 1)
    grid = dues_store.month_grid(store, branch.id, december, TODAY)
    records = [record_payment(r.record, 100, TODAY) for r in grid]
    dues_store.save(store, grid[1].record, branch.id)  # someone else saved one meanwhile
    with pytest.raises(Stale, match="Ctrl\\+D"):
        dues_service.record_month(store, branch.id, records)
    assert store.scalar("SELECT count(*) FROM dues WHERE month='2026-12-01'") == 1
    january = dues_store.month_grid(store, branch.id, date(2027, 1, 1), TODAY)
    saved = dues_service.record_month(
        store, branch.id, [record_payment(r.record, 100, TODAY) for r in january]
    )
    assert store.scalar("SELECT count(*) FROM dues WHERE month='2027-01-01'") == len(saved) > 0


# -- people import (sqlite-utils bulk insert inside BEGIN IMMEDIATE) ------------


@pytest.mark.sqlite_only
def test_import_people_is_one_transaction_through_sqlite_utils(store: Store, tmp_path: Path) -> None:
    from services import import_people as imp
    from services.errors import InputMissing

    branch = make_branch(store)
    before = _count(store, "people")
    csv = tmp_path / "p.csv"
    csv.write_text(
        "姓名,性别,政治面貌,支部\n"
        + "".join(f"导入{i},男,群众,{branch.name}\n" for i in range(300)),
        encoding="utf-8",
    )
    result = imp.import_people(store, csv)
    assert result.imported == 300 and _count(store, "people") == before + 300
    # The counter triggers fired once per row (no recursive_triggers side effect).
    assert store.scalar("SELECT n FROM counters WHERE name='people'") == before + 300
    assert store.scalar("PRAGMA recursive_triggers") == 0
    keys = store.scalar(
        "SELECT count(DISTINCT person_id) FROM person_keys k JOIN people p ON p.id = k.person_id"
        " WHERE p.name LIKE '导入%'"
    )
    assert keys == 300

    # A clash halfway (an id already taken) rolls back every row, key and audit line.
    preview = imp.preview_file(store, csv)
    taken = people.list_branch(store, branch.id)[0].id
    clash = [p if i != 150 else p.model_copy(update={"id": taken})
             for i, p in enumerate(preview.people)]  # fmt: skip
    audit_rows = _count(store, "audit")
    with pytest.raises(StorageFailed):
        imp.commit(store, dataclasses.replace(preview, people=clash))
    assert _count(store, "people") == before + 300 and _count(store, "audit") == audit_rows
    assert not store.conn.in_transaction
    with pytest.raises(InputMissing):
        imp.import_people(store, tmp_path / "none.csv")
