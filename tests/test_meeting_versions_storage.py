"""Corrections are versions, and 补学 is recorded — on a real temporary database."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from domain.action_codes import ActionKind, MakeUpMethod
from domain.meeting_kinds import MeetingKind
from domain.meeting_rules import AttendanceState
from domain.meetings import (
    Meeting,
    correction,
    finish,
    mark_step_done,
    new_meeting,
    sign_in_all,
    skip_step,
)
from domain.org import OrgKind, OrgUnit
from domain.people import CommitteePost, Person, PoliticalStatus
from storage import action_items, make_up_home, make_ups, org
from storage import meetings as meeting_store
from storage.db import Store, open_store
from storage.errors import CorrectionConflict, StorageError
from storage.records import save_document

pytestmark = pytest.mark.both_engines

NOW = dt.datetime(2026, 3, 15, 16, 5)
DAY = dt.date(2026, 3, 15)


def _units(store: Store) -> tuple[OrgUnit, OrgUnit]:
    branch = org.save(store, OrgUnit(name="采油一队党支部", kind=OrgKind.BRANCH))
    group = org.save(store, OrgUnit(name="第一党小组", kind=OrgKind.GROUP, parent_id=branch.id))
    return branch, group


def _committee(unit: OrgUnit, *, absent: int = 0) -> Meeting:
    posts = list(CommitteePost)[:5]
    people = [
        Person(name=f"委员{i}", status=PoliticalStatus.FULL, branch_id=unit.id, post=posts[i])
        for i in range(5)
    ]
    m, _ = sign_in_all(new_meeting(MeetingKind.COMMITTEE, unit.id, unit.name, DAY, people=people))
    for e in m.attendance[5 - absent :]:
        e.state = AttendanceState.LEAVE
        e.reason = "夜班"
    m = m.model_copy(
        update={
            "chair_id": m.attendance[0].person_id,
            "chair_name": m.attendance[0].name,
            "recorder_name": m.attendance[1].name,
            "place": "会议室",
            "start_time": dt.time(9),
            "end_time": dt.time(10),
            "topics": ["研究工作"],
        }
    )
    for s in m.procedure.steps:
        if s.key != "decide":
            m = mark_step_done(m, s.key, NOW)
    m = skip_step(m, "decide", "本次不需决定")
    return finish(m, NOW)


def _finished(store: Store, **kw: int) -> Meeting:
    branch, _ = _units(store)
    return meeting_store.save_final(store, _committee(branch, **kw))


# -- Corrections -----------------------------------------------------------------


def test_two_sessions_cannot_both_correct_one_record(db_target: Path | str) -> None:
    """Issue 13: two sessions pressing c on one finished meeting both finished."""
    first = open_store(db_target, actor="张三")
    done = _finished(first)
    second = open_store(db_target, actor="李四")
    try:
        draft = meeting_store.start_correction(first, done.id)
        assert draft.supersedes_id == done.id and draft.revision == 2
        assert meeting_store.load_draft(first, draft.id) == draft
        with pytest.raises(CorrectionConflict) as err:
            meeting_store.start_correction(second, done.id)
        assert "张三" in str(err.value) and "开始更正" in str(err.value)
        assert meeting_store.open_correction(second, done.id)[0] == "张三"
        # The first session finishes; now the record is replaced, and says by whom.
        meeting_store.save_final(first, finish(draft, NOW))
        with pytest.raises(CorrectionConflict, match="第2版（张三"):
            meeting_store.start_correction(second, done.id)
        assert meeting_store.open_correction(second, done.id) is None
    finally:
        first.close()
        second.close()
    again = open_store(db_target, actor="t")
    try:
        current = again.scalar(
            "SELECT count(*) FROM meetings WHERE supersedes_id=? AND superseded=0", (done.id,)
        )
    finally:
        again.close()
    assert current == 1


def test_finishing_a_correction_of_a_replaced_version_is_refused(store: Store) -> None:
    done = _finished(store)
    stale = correction(done)  # made before anyone else corrected it (no lock taken)
    other = open_store(store.target, actor="李四")
    try:
        theirs = meeting_store.start_correction(other, done.id)
        meeting_store.save_final(other, finish(theirs, NOW))
    finally:
        other.close()
    with pytest.raises(CorrectionConflict) as err:
        meeting_store.save_final(store, finish(stale, NOW))
    assert "李四" in str(err.value) and "已由第2版" in str(err.value)
    assert store.scalar("SELECT count(*) FROM meetings WHERE supersedes_id=?", (done.id,)) == 1


def test_someone_elses_open_correction_blocks_finishing_mine(store: Store) -> None:
    done = _finished(store)
    mine = correction(done)
    other = open_store(store.target, actor="李四")
    try:
        meeting_store.start_correction(other, done.id)
    finally:
        other.close()
    with pytest.raises(CorrectionConflict, match="李四 已于"):
        meeting_store.save_final(store, finish(mine, NOW))


def test_abandoning_a_correction_allows_a_new_one(store: Store) -> None:
    done = _finished(store)
    draft = meeting_store.start_correction(store, done.id)
    meeting_store.abandon_correction(store, draft.id)
    assert meeting_store.load_draft(store, draft.id) is None
    again = meeting_store.start_correction(store, done.id)
    assert again.id != draft.id


def test_the_unique_index_backs_one_current_correction(store: Store) -> None:
    done = _finished(store)
    a, b = correction(done), correction(done)
    meeting_store.save_final(store, finish(a, NOW))
    # Outside write(): the statement is its own transaction on either engine.
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute(
            "INSERT INTO meetings(id, kind, org_id, date, status, supersedes_id, superseded,"
            " data, created_at, updated_at, updated_by, version)"
            " SELECT ?, kind, org_id, date, status, supersedes_id, 0, data, created_at,"
            " updated_at, updated_by, 1 FROM meetings WHERE id=?",
            (b.id, a.id),
        )


def test_migration_repairs_duplicate_current_corrections(tmp_path: Path) -> None:
    """A file written before the index may hold two current corrections: the
    migration keeps the newest current and then creates the index."""
    from storage import migrations

    db = tmp_path / "old.db"
    s = open_store(db, actor="t", migrate=False)
    with s.write() as c:
        for m in migrations.MIGRATIONS[:3]:
            m(c)
        c.execute("PRAGMA user_version=3")
    done = _finished(s)
    a, b = correction(done), correction(done)
    for draft, at in ((a, "2026-03-16T09:00:00"), (b, "2026-03-17T09:00:00")):
        final = finish(draft, NOW)
        save_document(s, "meetings", final, meeting_store._index(final))
        s.conn.execute("UPDATE meetings SET created_at=? WHERE id=?", (at, draft.id))
    s.close()
    s = open_store(db, actor="t")
    rows = s.query("SELECT id FROM meetings WHERE supersedes_id=? AND superseded=0", (done.id,))
    assert [r["id"] for r in rows] == [b.id]
    s.close()


# -- 补学 ----------------------------------------------------------------------


def _owed(store: Store, meeting_id: str) -> list:
    return [a for a in action_items.actions_for_meeting(store, meeting_id)
            if a.kind is ActionKind.MAKE_UP]  # fmt: skip


def test_make_up_is_recorded_and_closes_the_item(store: Store) -> None:
    done = _finished(store, absent=2)
    owed = _owed(store, done.id)
    assert [a.owner_name for a in owed] == ["委员3", "委员4"]
    rec = make_ups.record_make_up(
        store, owed[0].id, done_on=DAY + dt.timedelta(days=3),
        method=MakeUpMethod.MATERIALS, checked_by="委员0",
    )  # fmt: skip
    assert rec.version == 1 and rec.name == "委员3" and rec.meeting_date == DAY
    row = store.query_one("SELECT * FROM make_ups WHERE id=?", (rec.id,))
    assert row is not None
    assert (row["method"], row["checked_by"], row["done_on"]) == ("学习材料", "委员0", "2026-03-18")
    assert action_items.get(store, owed[0].id).closed_at is not None
    assert make_ups.make_ups_for_meeting(store, done.id) == [rec]
    with pytest.raises(StorageError, match="已办结"):
        make_ups.record_make_up(
            store, owed[0].id, done_on=DAY, method=MakeUpMethod.ONLINE, checked_by="委员0"
        )


def test_make_up_refuses_a_date_before_the_meeting_and_saves_nothing(store: Store) -> None:
    done = _finished(store, absent=1)
    [item] = _owed(store, done.id)
    with pytest.raises(ValidationError, match="不能早于会议日期"):
        make_ups.record_make_up(
            store, item.id, done_on=DAY - dt.timedelta(days=1),
            method=MakeUpMethod.LESSON, checked_by="委员0",
        )  # fmt: skip
    assert store.scalar("SELECT count(*) FROM make_ups") == 0
    assert action_items.get(store, item.id).closed_at is None
    make_ups.record_make_up(
        store, item.id, done_on=DAY, method=MakeUpMethod.LESSON, checked_by="委员0"
    )  # the meeting day itself is fine


def test_home_lists_outstanding_make_ups_per_branch(store: Store) -> None:
    done = _finished(store, absent=2)
    rows = make_up_home.outstanding_by_branch(store)
    assert [(r.branch_name, r.count, r.names) for r in rows] == [
        ("采油一队党支部", 2, ("委员3", "委员4"))
    ]
    assert rows[0].first_deadline == DAY + dt.timedelta(days=30)
    [line] = make_up_home.home_items(store, DAY + dt.timedelta(days=31))
    assert line.text == "采油一队党支部：2 人次待补学（委员3、委员4），最早的已逾期 1 天"
    first = _owed(store, done.id)[0]
    make_ups.record_make_up(
        store, first.id, done_on=DAY, method=MakeUpMethod.ONLINE, checked_by="委员0"
    )
    assert [r.count for r in make_up_home.outstanding_by_branch(store)] == [1]
    assert make_up_home.outstanding_by_branch(store, ["other"]) == []


def test_group_meeting_make_ups_count_for_the_branch(store: Store) -> None:
    branch, group = _units(store)
    people = [
        Person(name=f"组员{i}", status=PoliticalStatus.FULL, branch_id=branch.id,
               group_id=group.id)
        for i in range(3)
    ]  # fmt: skip
    m, _ = sign_in_all(new_meeting(MeetingKind.GROUP, group.id, group.name, DAY, people=people))
    m.attendance[2].state = AttendanceState.ABSENT
    m = m.model_copy(update={"chair_name": "组员0", "recorder_name": "组员1", "place": "班组",
                             "start_time": dt.time(16), "end_time": dt.time(17),
                             "topics": ["学习"]})  # fmt: skip
    for s in m.procedure.steps:
        m = mark_step_done(m, s.key, NOW)
    meeting_store.save_final(store, finish(m, NOW))
    [row] = make_up_home.outstanding_by_branch(store)
    assert (row.branch_id, row.names) == (branch.id, ("组员2",))


def test_make_up_home_reader_needs_no_pydantic() -> None:
    code = "import sys; import storage.make_up_home; print('pydantic' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    assert out.stdout.strip() == "False"
