"""党员考核 through services.assessment on a real database: scores computed
from sign-in sheets, dues, 党课 and 一人一事 records; adjustments and pledge
reviews reaching their tables and the audit trail; the ranking and the year."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.assessment import PledgeOutcome, PostKind
from domain.followups import Contact
from domain.meeting_kinds import MeetingKind
from domain.meeting_rules import AttendanceState
from domain.periods import Period
from services import assessment as svc
from services.errors import InvalidInput, Stale
from storage import audit
from storage.db import Store
from tests import factories as f

Q4 = Period.quarter(2026, 4)


pytestmark = pytest.mark.both_engines

def _row(bq: svc.BranchQuarter, pid: str) -> svc.MemberQuarter:
    return next(r for r in bq.rows if r.person.id == pid)


def test_quarter_score_comes_from_meetings_dues_and_activities(
    store: Store, today: dt.date
) -> None:
    _top, (b, _other) = f.org_tree(store)
    sec = b.members[0]
    absent, on_leave = b.members[3], b.members[4]
    f.finished_meeting(store, b, MeetingKind.THEME_DAY, dt.date(2026, 10, 9),
                       absent={absent.id: AttendanceState.ABSENT,
                               on_leave.id: AttendanceState.LEAVE})  # fmt: skip
    f.finished_meeting(store, b, MeetingKind.LECTURE, dt.date(2026, 11, 3))
    f.dues(store, b, f.months(dt.date(2026, 10, 1), dt.date(2026, 11, 1)),
           unpaid={absent.id: [dt.date(2026, 10, 1)]})  # fmt: skip
    f.followup(store, b, b.members[7], contacts=(
        Contact(on=dt.date(2026, 11, 5), by_id=sec.id, by_name=sec.name),
        Contact(on=dt.date(2026, 11, 12), by_id=sec.id, by_name=sec.name),
    ))  # fmt: skip

    bq = svc.branch_quarter(store, b.id, Q4, today)
    assert {r.person.id for r in bq.rows} == {p.id for p in b.members[:6]}  # members only
    s = _row(bq, sec.id)
    # 2 meetings attended, Oct+Nov on time, 1 党课 given + 2 contacts.
    assert s.facts.present == 2 and s.facts.activities == 3
    assert (s.score.attendance, s.score.dues, s.score.activities) == (4, 4, 6)
    assert s.score.final == 60 + 4 + 4 + 6
    a = _row(bq, absent.id)
    assert a.facts.absent_missed == 1 and a.facts.dues_unpaid == 1 and a.facts.dues_on_time == 1
    assert a.score.final == 60 + 2 + 2 - 3 - 2
    lv = _row(bq, on_leave.id)
    assert lv.facts.leave_missed == 1 and lv.score.deductions == 1


def test_adjustment_reaches_the_table_and_the_audit_trail(store: Store, today: dt.date) -> None:
    _top, (b, _other) = f.org_tree(store)
    m = b.members[3]
    before = svc.branch_quarter(store, b.id, Q4, today)
    adj = svc.add_adjustment(store, b.id, m.id, Q4, "+5", "抢险救灾表现突出", today=today)
    row = store.query_one("SELECT * FROM assessment_adjustments WHERE id=?", (adj.id,))
    assert row is not None
    assert (row["person_id"], row["quarter"], row["points"], row["reason"]) == (
        m.id, "2026Q4", 5, "抢险救灾表现突出",
    )  # fmt: skip
    trail = store.query(
        "SELECT * FROM audit WHERE table_name='assessment_adjustments' AND record_id=?",
        (adj.id,),
    )
    assert [(t["action"], t["actor"]) for t in trail] == [("create", "tester")]
    assert trail[0]["content_hash"]
    assert "抢险" not in trail[0]["detail"]  # the audit names fields, never values
    assert audit.problems(store.conn) == []
    after = svc.branch_quarter(store, b.id, Q4, today)
    old, new = _row(before, m.id).score, _row(after, m.id).score
    assert new.computed == old.computed and new.adjustment == 5 and new.final == old.final + 5
    assert [a.reason for a in _row(after, m.id).adjustments] == ["抢险救灾表现突出"]
    # Another quarter is not touched.
    q3 = svc.branch_quarter(store, b.id, Period.quarter(2026, 3), today)
    assert _row(q3, m.id).score.adjustment == 0


@pytest.mark.parametrize(("points", "reason"), [("+5", "  "), ("", "理由"), ("0", "理由"),
                                                ("99", "理由")])  # fmt: skip
def test_adjustment_refused_without_reason_or_valid_points(
    store: Store, points: str, reason: str
) -> None:
    _top, (b, _other) = f.org_tree(store)
    with pytest.raises(InvalidInput):
        svc.add_adjustment(store, b.id, b.members[0].id, Q4, points, reason, today=f.TODAY)
    assert store.scalar("SELECT count(*) FROM assessment_adjustments") == 0
    assert store.scalar("SELECT count(*) FROM audit WHERE table_name='assessment_adjustments'") == 0


def test_pledge_and_review_feed_the_score_and_are_audited(store: Store, today: dt.date) -> None:
    _top, (b, _other) = f.org_tree(store)
    m = b.members[4]
    pledge = svc.save_pledge(store, m.id, PostKind.SAFETY, "联合站外输泵房",
                             "责任区内无三违、无隐患", current=None)  # fmt: skip
    rows = {r.person.id: r for r in svc.pledge_list(store, b.id, Q4)}
    assert rows[m.id].pledge == pledge and rows[m.id].review is None
    s = _row(svc.branch_quarter(store, b.id, Q4, today), m.id)
    assert s.facts.pledge is PledgeOutcome.NOT_REVIEWED and s.score.pledge == 0

    review = svc.review_pledge(store, pledge, Q4, True, "泵房隐患全部整改", current=None,
                              today=today)
    s = _row(svc.branch_quarter(store, b.id, Q4, today), m.id)
    assert s.facts.pledge is PledgeOutcome.KEPT and s.score.pledge == 8
    changed = svc.review_pledge(store, pledge, Q4, False, "发生一起违章", current=review,
                               today=today)
    s = _row(svc.branch_quarter(store, b.id, Q4, today), m.id)
    assert s.facts.pledge is PledgeOutcome.NOT_KEPT and s.score.deductions == 4
    stored = store.query("SELECT * FROM assessment_reviews")
    assert len(stored) == 1 and stored[0]["quarter"] == "2026Q4" and stored[0]["version"] == 2
    acts = store.query(
        "SELECT action FROM audit WHERE table_name='assessment_reviews' ORDER BY seq"
    )
    assert [a["action"] for a in acts] == ["create", "update"]
    # A second window still holding the first version is refused, not overwritten.
    with pytest.raises(Stale):
        svc.review_pledge(store, pledge, Q4, True, "", current=review, today=today)
    assert changed.version == 2


def test_ranking_of_the_general_branch(store: Store, today: dt.date) -> None:
    top, (one, two) = f.org_tree(store)
    f.finished_meeting(store, one, MeetingKind.THEME_DAY, dt.date(2026, 10, 9))
    ranked = svc.ranking(store, top.id, Q4, today)
    assert [r.name for r in ranked] == ["一支部", "二支部"]
    assert [r.rank for r in ranked] == [1, 2]
    assert ranked[0].members == 6 and float(ranked[0].mean or 0) > float(ranked[1].mean or 0)
    assert svc.ranking(store, "elsewhere", Q4, today) == []


def test_year_is_the_mean_of_the_quarters_so_far(store: Store, today: dt.date) -> None:
    _top, (b, _other) = f.org_tree(store)
    m = b.members[3]
    svc.add_adjustment(store, b.id, m.id, Period.quarter(2026, 1), "+8", "一季度表彰", today=today)
    year = svc.branch_year(store, b.id, 2026, today)
    assert year.quarters == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    first_person, first = year.rows[0]
    assert first_person.id == m.id  # highest first: the 民主评议 input
    assert first.mean == (68 + 60 + 60 + 60) / 4


def test_a_quarter_that_has_not_begun_takes_no_adjustment_or_review(
    store: Store, today: dt.date
) -> None:
    _top, (b, _other) = f.org_tree(store)
    m = b.members[2]
    nxt = Period.quarter(today.year + 1, 1)
    with pytest.raises(InvalidInput) as e:
        svc.add_adjustment(store, b.id, m.id, nxt, "+5", "提前加分", today=today)
    assert "尚未开始" in str(e.value)
    pledge = svc.save_pledge(store, m.id, PostKind.SAFETY, "泵房", "无隐患", current=None)
    with pytest.raises(InvalidInput) as e:
        svc.review_pledge(store, pledge, nxt, True, "", current=None, today=today)
    assert "尚未开始" in str(e.value)
    assert store.scalar("SELECT count(*) FROM assessment_adjustments") == 0
    assert store.scalar("SELECT count(*) FROM assessment_reviews") == 0
    # The running quarter takes both.
    svc.add_adjustment(store, b.id, m.id, Q4, "+5", "抢险", today=today)
    svc.review_pledge(store, pledge, Q4, True, "", current=None, today=today)
    assert store.scalar("SELECT count(*) FROM assessment_adjustments") == 1
    assert store.scalar("SELECT count(*) FROM assessment_reviews") == 1


def test_a_refused_pledge_inside_a_transaction_leaves_the_rest_of_it_usable(
    store: Store,
) -> None:
    """A caller that catches the refusal and carries on in the same transaction
    (as SQLite allows) keeps what it wrote before and after: on PostgreSQL the
    failed INSERT would otherwise abort the whole transaction."""
    from domain.assessment import Pledge
    from storage import assessment
    from storage.errors import StorageError

    _top, (b, _other) = f.org_tree(store)
    first, second = b.members[4], b.members[5]

    def pledge(pid: str, name: str) -> Pledge:
        return Pledge(person_id=pid, person_name=name, branch_id=b.id,
                      post=PostKind.SAFETY, area="泵房", pledge="无隐患")  # fmt: skip

    with store.write() as c:
        assessment.save_pledge(store, pledge(first.id, first.name), conn=c)
        with pytest.raises(StorageError, match="已有先锋岗记录"):
            assessment.save_pledge(store, pledge(first.id, first.name), conn=c)
        assessment.save_pledge(store, pledge(second.id, second.name), conn=c)
    got = store.query("SELECT person_id FROM assessment_pledges ORDER BY person_id")
    assert [r["person_id"] for r in got] == sorted([first.id, second.id])
    assert audit.problems(store.conn) == []
