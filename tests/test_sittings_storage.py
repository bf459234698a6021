"""Issue 19 (sittings) in SQLite: a split activity is one activity for
compliance and participation; a handover counts for those who attended; the
demo has both."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.meeting_kinds import MeetingKind
from domain.meetings import finish
from domain.people_codes import Shift
from domain.periods import parse_period
from domain.sittings import Handover, Sitting, set_sittings
from services.errors import InvalidInput
from storage import compliance, participation
from storage import meetings as meetings_store
from storage import sittings as sittings_store
from storage.db import Store
from tests import factories

pytestmark = pytest.mark.both_engines

DAY = dt.date(2026, 11, 6)


def test_a_split_theme_day_counts_once_for_compliance_and_for_each_member(store: Store) -> None:
    b = factories.branch(store)
    members = [p for p in b.members if p.is_member]
    ids = [p.id for p in members]
    m = factories.meeting(b, MeetingKind.THEME_DAY, DAY)
    both = ids[0]
    day = Sitting(label="白班场", date=DAY, member_ids=ids[:3], present_ids=ids[:3],
                  start_time=dt.time(8, 30), end_time=dt.time(9, 30), place="活动室",
                  leader_name=members[0].name)  # fmt: skip
    night = Sitting(label="夜班场", date=DAY, member_ids=ids[3:], present_ids=[*ids[3:], both],
                    start_time=dt.time(19), end_time=dt.time(20), place="值班室",
                    leader_name=members[1].name)  # fmt: skip
    m = set_sittings(m, [day, night])
    meetings_store.save_final(store, finish(m, dt.datetime(2026, 11, 6, 21)))

    held = compliance.activities(store, [b.id], dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert [a.kind for a in held] == [MeetingKind.THEME_DAY.value]
    period = parse_period("2026-11")
    stats = participation.branch_participation(store, b.id, period)
    row = next(r for r in stats.rows if r.person.id == both)
    assert (row.stats.expected, row.stats.present) == (1, 1)  # two sittings, counted once
    assert stats.total("expected") == len(ids) and stats.total("present") == len(ids)


def test_a_handover_counts_present_for_who_attended_only(store: Store) -> None:
    b = factories.branch(store)
    members = [p for p in b.members if p.is_member]
    came, missed = members[0], members[1]
    h = Handover(branch_id=b.id, branch_name=b.unit.name, date=DAY, shift=Shift.MORNING,
                 leader_name=came.name, topic="安全交底", minutes=8,
                 member_ids=[came.id, missed.id], attendee_ids=[came.id],
                 attendee_names=[came.name])  # fmt: skip
    sittings_store.save_handover(store, h)
    period = parse_period("2026-11")
    got = participation.member_participation(store, came, period)
    assert (got.expected, got.present, got.make_ups_owed) == (1, 1, 0)
    assert participation.member_participation(store, missed, period).expected == 0
    lines = participation.member_sign_ins(store, came, period)
    assert [(s.kind, s.title, s.state) for s in lines] == [("交接班活动", "安全交底", "出席")]
    # Outside the period it does not count.
    assert participation.member_participation(store, came, parse_period("2026-10")).expected == 0


def test_the_demo_has_a_two_sitting_theme_day_and_months_of_handovers(demo_store: Store) -> None:
    rows = demo_store.query(
        "SELECT m.data, o.shift_pattern FROM meetings m JOIN org_units o ON o.id = m.org_id"
        " WHERE json_extract(m.data, '$.sittings[0]') IS NOT NULL"  # both engines have it
    )
    assert len(rows) == 1 and rows[0]["shift_pattern"] == "白夜两班"
    from domain.meetings import Meeting

    m = Meeting.model_validate_json(rows[0]["data"])
    assert m.kind is MeetingKind.THEME_DAY and m.finished
    assert [s.label for s in m.sittings] == ["白班场", "夜班场"]
    assert all(s.start_time and s.place and s.leader_name for s in m.sittings)
    days = [
        dt.date.fromisoformat(r["date"])
        for r in demo_store.query(
            "SELECT h.date FROM handovers h JOIN org_units o ON o.id = h.branch_id"
            " WHERE o.shift_pattern = '三班倒'"
        )
    ]
    assert len(days) >= 20
    assert (max(days) - min(days)).days >= 80  # the last months, not one week


def _handover_form(store: Store):  # type: ignore[no-untyped-def]
    from domain.sittings import HandoverConfig
    from services import sittings as sitting_service

    b = factories.branch(store)
    form = sitting_service.HandoverForm(
        branch=b.unit, day=DAY, shift=Shift.MORNING,
        shifts=(Shift.MORNING, Shift.MIDDLE, Shift.LATE),
        members=[p for p in b.members if p.is_member], config=HandoverConfig(),
    )  # fmt: skip
    return sitting_service, form


@pytest.mark.parametrize(("minutes", "expected"), [(90, "5–10 分钟"), (0, "5–10 分钟")])
def test_a_handover_length_out_of_range_is_refused_in_chinese(
    store: Store, minutes: int, expected: str
) -> None:
    svc, form = _handover_form(store)
    ids = [p.id for p in form.members]
    with pytest.raises(InvalidInput) as e:
        svc.file_handover(store, form, day=DAY, shift=form.shift, leader_name="带班人",
                          topic="安全交底", minutes=minutes, attendee_ids=ids,
                          today=DAY)  # fmt: skip
    assert expected in str(e.value)
    assert "validation" not in str(e.value) and "Input should" not in str(e.value)
    assert store.scalar("SELECT count(*) FROM handovers") == 0


def test_a_handover_dated_after_today_is_refused(store: Store) -> None:
    svc, form = _handover_form(store)
    ids = [p.id for p in form.members]
    with pytest.raises(InvalidInput) as e:
        svc.file_handover(store, form, day=DAY + dt.timedelta(days=30), shift=form.shift,
                          leader_name="带班人", topic="安全交底", minutes=10, attendee_ids=ids,
                          today=DAY)  # fmt: skip
    assert "不能晚于今天" in str(e.value)
    assert store.scalar("SELECT count(*) FROM handovers") == 0
    saved = svc.file_handover(store, form, day=DAY, shift=form.shift, leader_name="带班人",
                              topic="安全交底", minutes=10, attendee_ids=ids,
                              today=DAY)  # fmt: skip
    assert store.scalar("SELECT date FROM handovers WHERE id=?", (saved.id,)) == DAY.isoformat()


def test_a_handover_counts_as_attendance_in_the_members_assessment(store: Store) -> None:
    """党员考核 reads the same sign-ins as participation: a 交接班活动 attended
    earns its attendance points (docs/ASSESSMENT.md)."""
    from services import assessment

    b = factories.branch(store)
    came = next(p for p in b.members if p.is_member)
    quarter = parse_period("2026Q4")
    before = next(
        r for r in assessment.branch_quarter(store, b.id, quarter, DAY).rows
        if r.person.id == came.id
    )
    h = Handover(branch_id=b.id, branch_name=b.unit.name, date=DAY, shift=Shift.MORNING,
                 leader_name=came.name, topic="安全交底", minutes=8,
                 member_ids=[came.id], attendee_ids=[came.id],
                 attendee_names=[came.name])  # fmt: skip
    sittings_store.save_handover(store, h)
    after = next(
        r for r in assessment.branch_quarter(store, b.id, quarter, DAY).rows
        if r.person.id == came.id
    )
    assert after.score.attendance > before.score.attendance
